from torch import nn as nn
