from torch import optim as optim
