import torch
        train_loss += loss.data[0]
        inputs, targets = Variable(inputs, volatile=True), Variable(targets)
        test_loss += loss.data[0]
