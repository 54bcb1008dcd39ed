#!/usr/bin/python3
"""The same classic LeNet-5 in PyTorch, timed like bench/bench_nn.c, for the
comparison column of `make bench` (PyTorch is not a dependency of digitd).

Prints BENCH lines with a "pytorch_" prefix:
  infer_batch1_1t, infer_batch256_1t   digits/s on one thread
  train_epoch_1t, train_epoch_2t       seconds per 60,000-image epoch with
                                       on-the-fly augmentation (random affine
                                       + coarse elastic field, as in
                                       src/nn/augment.c), Adam, batch 64;
                                       timed on a fraction, extrapolated.
Usage: pytorch_lenet5.py DATA_DIR [TRAIN_IMAGES]
"""
import math
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


def read_idx(path, dims):
    with open(path, "rb") as f:
        raw = f.read()
    magic = int.from_bytes(raw[0:4], "big")
    if magic != 0x800 | dims:
        raise SystemExit(f"{path}: bad IDX magic {magic:#x}")
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape).copy()


class LeNet5(nn.Module):
    """pad2 c6k5 relu max2 c16k5 relu max2 fc120 relu fc84 relu fc10"""

    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(1, 6, 5)
        self.c3 = nn.Conv2d(6, 16, 5)
        self.f5 = nn.Linear(400, 120)
        self.f6 = nn.Linear(120, 84)
        self.out = nn.Linear(84, 10)

    def forward(self, x):
        x = F.pad(x, (2, 2, 2, 2), value=-0.1307 / 0.3081)
        x = F.max_pool2d(F.relu(self.c1(x)), 2)
        x = F.max_pool2d(F.relu(self.c3(x)), 2)
        x = x.flatten(1)
        return self.out(F.relu(self.f6(F.relu(self.f5(x)))))


def normalise(u8):
    return (torch.from_numpy(u8).float().unsqueeze(1) / 255.0 - 0.1307) / 0.3081


def augment(x, gen):
    """Random rotation +-12 deg, scale +-12 %, shear +-0.2, shift +-2 px, and
    a 5x5 elastic displacement field of +-1.6 px, bilinearly resampled."""
    n = x.shape[0]
    u = lambda a: (torch.rand(n, generator=gen) * 2 - 1) * a
    th, s, sh = u(12 * math.pi / 180), 1 + u(0.12), u(0.2)
    tx, ty = u(2.0) / 14, u(2.0) / 14
    c, sn = torch.cos(th) / s, torch.sin(th) / s
    theta = torch.stack([torch.stack([c, c * sh - sn, tx], 1),
                         torch.stack([sn, sn * sh + c, ty], 1)], 1)
    grid = F.affine_grid(theta, list(x.shape), align_corners=False)
    field = (torch.rand(n, 2, 5, 5, generator=gen) * 2 - 1) * (1.6 / 14)
    grid = grid + F.interpolate(field, size=(28, 28), mode="bilinear", align_corners=True).permute(0, 2, 3, 1)
    bg = -0.1307 / 0.3081
    return F.grid_sample(x - bg, grid, align_corners=False, padding_mode="zeros") + bg


def infer_rate(model, images, batch, total):
    best = 0.0
    with torch.no_grad():
        for _ in range(3):
            t0 = time.perf_counter()
            done = 0
            for i in range(0, total - batch + 1, batch):
                model(normalise(images[i:i + batch])).softmax(1)
                done += batch
            best = max(best, done / (time.perf_counter() - t0))
    return best


def train_epoch(images, labels, threads, n):
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    gen = torch.Generator().manual_seed(1)
    best = 1e30
    for _ in range(2):
        model = LeNet5()
        opt = torch.optim.Adam(model.parameters(), lr=2e-3)
        x_all, y_all = normalise(images[:n]), torch.from_numpy(labels[:n].astype(np.int64))
        t0 = time.perf_counter()
        perm = torch.randperm(n, generator=gen)
        for i in range(0, n, 64):
            idx = perm[i:i + 64]
            loss = F.cross_entropy(model(augment(x_all[idx], gen)), y_all[idx])
            opt.zero_grad()
            loss.backward()
            opt.step()
        best = min(best, time.perf_counter() - t0)
    return best * 60000 / n


def main():
    data = sys.argv[1] if len(sys.argv) > 1 else "data/mnist"
    ntrain = int(sys.argv[2]) if len(sys.argv) > 2 else 12800
    images = read_idx(f"{data}/train-images-idx3-ubyte", 3)
    labels = read_idx(f"{data}/train-labels-idx1-ubyte", 1)
    torch.set_num_threads(1)
    model = LeNet5().eval()
    print(f"pytorch {torch.__version__}, classic LeNet-5 (untrained weights; speed only)")
    print(f"BENCH pytorch_infer_batch1_1t {infer_rate(model, images, 1, 5000):.0f} digits/s")
    print(f"BENCH pytorch_infer_batch256_1t {infer_rate(model, images, 256, 30000):.0f} digits/s")
    print(f"training timed on {ntrain} images, extrapolated to 60000")
    print(f"BENCH pytorch_train_epoch_1t {train_epoch(images, labels, 1, ntrain):.2f} s")
    print(f"BENCH pytorch_train_epoch_2t {train_epoch(images, labels, 2, ntrain):.2f} s")


if __name__ == "__main__":
    main()
