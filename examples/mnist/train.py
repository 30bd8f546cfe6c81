"""Trains a small MLP on synthetic MNIST-shaped data (28x28 inputs, 10 classes) and reports the loss.

The data is generated, not downloaded, so the example runs with no network: each class is a fixed
random template plus noise, which an MLP learns in a few hundred steps.
"""
import argparse
import time

import torch
from torch import nn


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--batch", type=int, default=128)
    args = parser.parse_args()

    device = torch.device("cuda" if torch.cuda.is_available() else "cpu")
    name = torch.cuda.get_device_name(0) if device.type == "cuda" else "CPU"
    torch.manual_seed(0)
    templates = torch.randn(10, 28 * 28, device=device)

    model = nn.Sequential(nn.Linear(28 * 28, 256), nn.ReLU(), nn.Linear(256, 10)).to(device)
    optimiser = torch.optim.SGD(model.parameters(), lr=0.05)
    loss_fn = nn.CrossEntropyLoss()

    start = time.time()
    first = last = None
    for step in range(args.steps):
        labels = torch.randint(0, 10, (args.batch,), device=device)
        inputs = templates[labels] + 0.5 * torch.randn(args.batch, 28 * 28, device=device)
        loss = loss_fn(model(inputs), labels)
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        last = loss.item()
        first = last if first is None else first
        if step % 100 == 0:
            print(f"step {step:4d}  loss {last:.4f}")
    elapsed = time.time() - start
    print(f"device {name}: {args.steps} steps in {elapsed:.1f}s ({args.steps / elapsed:.0f} steps/s), "
          f"loss {first:.3f} -> {last:.3f}")


if __name__ == "__main__":
    main()
