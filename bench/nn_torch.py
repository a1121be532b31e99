"""PyTorch side of bench/nn: one workload (W1-W4) trained on Fashion-MNIST with Adam, printed as one JSON object.

usage: /usr/bin/python3 bench/nn_torch.py WORKLOAD DATA_DIR [--steps N] [--seconds S] [--warmup K] [--threads T]

W1 dense autoencoder 784-512-128-32-128-512-784 (ReLU, sigmoid + BCE), batch 256
W2 conv autoencoder (conv 16, pool, conv 32, pool, dense 32; dense, two transposed convs; sigmoid + BCE), batch 128
W3 VAE 784-400-20(mu, log var)-400-784, BCE sum + KL, batch 128
W4 CNN classifier conv32-conv64-pool-dropout-dense128-dropout-dense10, cross-entropy, batch 128

Timing starts after the warm-up steps; samples/s counts the timed steps only. `loss` is the mean of the last (up
to) 20 steps' losses (per pixel for W1/W2, per sample for W3, per sample for W4). `peakMB` is the process's maximum
resident set size, data included. The batches are the training images in order of one seeded permutation per pass.
"""
import argparse, gzip, json, os, resource, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("workload", choices=["W1", "W2", "W3", "W4"])
p.add_argument("data")
p.add_argument("--steps", type=int, default=0, help="timed steps (0: run for --seconds)")
p.add_argument("--seconds", type=float, default=15.0)
p.add_argument("--warmup", type=int, default=3)
p.add_argument("--threads", type=int, default=1)
p.add_argument("--seed", type=int, default=0)
a = p.parse_args()

torch.set_num_threads(a.threads)
torch.manual_seed(a.seed)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


images = torch.from_numpy(idx(os.path.join(a.data, "train-images-idx3-ubyte.gz")).astype(np.float32) / 255.0)
labels = torch.from_numpy(idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz")).astype(np.int64))
N = images.shape[0]


class VAE(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.fc21 = nn.Linear(400, 20)
        self.fc22 = nn.Linear(400, 20)
        self.fc3 = nn.Linear(20, 400)
        self.fc4 = nn.Linear(400, 784)

    def forward(self, x):
        h = F.relu(self.fc1(x))
        mu, logvar = self.fc21(h), self.fc22(h)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        return self.fc4(F.relu(self.fc3(z))), mu, logvar


if a.workload == "W1":
    batch = 256
    model = nn.Sequential(
        nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, 32), nn.ReLU(),
        nn.Linear(32, 128), nn.ReLU(), nn.Linear(128, 512), nn.ReLU(), nn.Linear(512, 784))
    X = images.reshape(N, 784)

    def loss_of(xb, yb):
        return F.binary_cross_entropy_with_logits(model(xb), xb)
elif a.workload == "W2":
    batch = 128
    model = nn.Sequential(
        nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
        nn.Flatten(), nn.Linear(32 * 7 * 7, 32),
        nn.Linear(32, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
        nn.ConvTranspose2d(32, 16, 2, stride=2), nn.ReLU(),
        nn.ConvTranspose2d(16, 1, 2, stride=2))
    X = images.reshape(N, 1, 28, 28)

    def loss_of(xb, yb):
        return F.binary_cross_entropy_with_logits(model(xb), xb)
elif a.workload == "W3":
    batch = 128
    model = VAE()
    X = images.reshape(N, 784)

    def loss_of(xb, yb):
        logits, mu, logvar = model(xb)
        bce = F.binary_cross_entropy_with_logits(logits, xb, reduction="sum")
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
        return (bce + kl) / xb.shape[0]
else:
    batch = 128
    model = nn.Sequential(
        nn.Conv2d(1, 32, 3), nn.ReLU(), nn.Conv2d(32, 64, 3), nn.ReLU(), nn.MaxPool2d(2), nn.Dropout(0.25),
        nn.Flatten(), nn.Linear(9216, 128), nn.ReLU(), nn.Dropout(0.5), nn.Linear(128, 10))
    X = images.reshape(N, 1, 28, 28)

    def loss_of(xb, yb):
        return F.cross_entropy(model(xb), yb)

model.train()
opt = torch.optim.Adam(model.parameters(), lr=1e-3)
gen = torch.Generator().manual_seed(a.seed)
perm = torch.randperm(N, generator=gen)
pos = 0


def step():
    global perm, pos
    if pos + batch > N:
        perm, pos = torch.randperm(N, generator=gen), 0
    ids = perm[pos:pos + batch]
    pos += batch
    xb, yb = X[ids], labels[ids]
    opt.zero_grad(set_to_none=True)
    loss = loss_of(xb, yb)
    loss.backward()
    opt.step()
    return loss.item()


for _ in range(a.warmup):
    step()
losses = []
t0 = time.perf_counter()
while True:
    losses.append(step())
    elapsed = time.perf_counter() - t0
    if (a.steps and len(losses) >= a.steps) or (not a.steps and elapsed >= a.seconds):
        break
tail = losses[-20:]


def blas_libraries():
    """The BLAS shared libraries this process has loaded (Debian's libblas.so.3 alternative: reference or OpenBLAS)."""
    found = set()
    try:
        with open("/proc/self/maps") as f:
            for line in f:
                path = line.split()[-1]
                name = os.path.basename(path)
                if path.startswith("/") and ("blas" in name or "mkl" in name or "blis" in name):
                    found.add(os.path.realpath(path))
    except OSError:
        pass
    return sorted(found)


blas = blas_libraries()
print(json.dumps({
    "workload": a.workload,
    "peer": "pytorch",
    "version": torch.__version__,
    "threads": a.threads,
    "batch": batch,
    "steps": len(losses),
    "seconds": elapsed,
    "samplesPerSecond": len(losses) * batch / elapsed,
    "loss": float(sum(tail) / len(tail)),
    "peakMB": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
    "params": sum(t.numel() for t in model.parameters()),
    "blas": blas,
    # Debian's reference BLAS (libblas3, /usr/lib/<arch>/blas/) is unblocked scalar code, tens of times slower
    "referenceBlas": any("/blas/libblas" in b for b in blas) and not any("openblas" in b or "mkl" in b or "blis" in b for b in blas),
}))
