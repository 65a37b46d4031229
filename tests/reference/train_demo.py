#!/usr/bin/python3
"""Trains the demo run's recipe in PyTorch, for comparing the lab's curve.

The same data (public/datasets/fashion-mnist-demo.bin), the same network
(torchvision's BasicBlock ResNet-18 with every width scaled by 0.25 and a
one-channel stem), the same input normalisation (the training split's own
mean and std, measured from the shards the lab samples) and the same recipe: SGD
with Nesterov momentum 0.9, LR 0.01, batch 32, cross-entropy, last partial
batch dropped, evaluation on the validation split after every epoch.
Random streams differ from the lab's, so curves agree in level, not digit
for digit.

  /usr/bin/python3 tests/reference/train_demo.py [--epochs 3] [--seed 1]
      [--lr 0.01]
"""
import argparse
import gzip
import json
import os
import struct
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from torchvision.models.resnet import BasicBlock

DEMO = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..",
                    "public", "datasets", "fashion-mnist-demo.bin")


def load_demo(path):
    raw = gzip.open(path).read()
    if raw[:4] != b"RLDS":
        raise ValueError(f"expected a demo file starting RLDS, got {raw[:4]!r}")
    _version, header_len = struct.unpack("<II", raw[4:12])
    header = json.loads(raw[12:12 + header_len])
    records = np.frombuffer(raw[12 + header_len:], np.uint8).reshape(-1, 785)
    n = header["splits"][0]["numImages"]
    mean, std = pixel_stats(records[:n, 1:])
    print(f"normalisation: mean {mean:.6f} std {std:.6f}")
    pixels = (records[:, 1:].reshape(-1, 1, 28, 28) / 255.0 - mean) / std
    labels = records[:, 0].astype(np.int64)
    as_t = lambda a: torch.tensor(a, dtype=torch.float32)
    return (as_t(pixels[:n]), torch.tensor(labels[:n]),
            as_t(pixels[n:]), torch.tensor(labels[n:]))


def pixel_stats(train_pixels, shard_size=1000, sample_shards=16):
    """The lab's statistics: every image of up to 16 evenly spaced shards
    of the demo's training split (src/data/pixel-stats.ts)."""
    num_shards = -(-len(train_pixels) // shard_size)
    if num_shards <= sample_shards:
        picked = range(num_shards)
    else:
        step = (num_shards - 1) / (sample_shards - 1)
        # JavaScript's Math.round: halves go up.
        picked = [int(np.floor(i * step + 0.5)) for i in range(sample_shards)]
    sample = np.concatenate(
        [train_pixels[i * shard_size:(i + 1) * shard_size] for i in picked])
    values = sample.astype(np.float64) / 255.0
    return values.mean(), values.std()


class SmallResNet18(nn.Module):
    """torchvision's ResNet-18 layout at a width multiplier."""

    def __init__(self, width=0.25, in_channels=1, num_classes=10):
        super().__init__()
        planes = [round(64 * width * 2 ** i) for i in range(4)]
        self.conv1 = nn.Conv2d(in_channels, planes[0], 7, 2, 3, bias=False)
        self.bn1 = nn.BatchNorm2d(planes[0])
        self.maxpool = nn.MaxPool2d(3, 2, 1)
        stages, inplanes = [], planes[0]
        for i, p in enumerate(planes):
            stride = 1 if i == 0 else 2
            down = None
            if stride != 1 or inplanes != p:
                down = nn.Sequential(nn.Conv2d(inplanes, p, 1, stride,
                                               bias=False), nn.BatchNorm2d(p))
            stages.append(nn.Sequential(BasicBlock(inplanes, p, stride, down),
                                        BasicBlock(p, p)))
            inplanes = p
        self.stages = nn.Sequential(*stages)
        self.fc = nn.Linear(inplanes, num_classes)
        for m in self.modules():
            if isinstance(m, nn.Conv2d):
                nn.init.kaiming_normal_(m.weight, mode="fan_out",
                                        nonlinearity="relu")

    def forward(self, x):
        x = self.maxpool(F.relu(self.bn1(self.conv1(x))))
        x = F.adaptive_avg_pool2d(self.stages(x), 1)
        return self.fc(torch.flatten(x, 1))


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--epochs", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--lr", type=float, default=0.01)
    args = parser.parse_args()
    torch.manual_seed(args.seed)
    torch.set_num_threads(1)
    x_train, y_train, x_val, y_val = load_demo(DEMO)
    model = SmallResNet18()
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9,
                          nesterov=True)
    best = 0.0
    for epoch in range(1, args.epochs + 1):
        start, losses = time.time(), []
        model.train()
        order = torch.randperm(len(x_train))
        for i in range(0, len(order) - 31, 32):
            idx = order[i:i + 32]
            loss = F.cross_entropy(model(x_train[idx]), y_train[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
            losses.append(loss.item())
        model.eval()
        with torch.no_grad():
            top1 = (model(x_val).argmax(1) == y_val).float().mean().item()
        best = max(best, top1)
        print(f"epoch {epoch}/{args.epochs}  loss {np.mean(losses):.4f}  "
              f"val top-1 {100 * top1:.2f}%  {time.time() - start:.0f} s")
    print(f"best val top-1 {100 * best:.2f}%")


if __name__ == "__main__":
    main()
