"""PyTorch side of bench/autoencoders: the same three models as latentkit's bench trains, on the same Fashion-MNIST
rows, with the same epochs, batch sizes and optimiser (Adam, lr 1e-3), printed as one JSON object.

usage: /usr/bin/python3 bench/autoencoders_torch.py DATA_DIR --models dense,conv,vae --code 32 --epochs E
       [--train N] [--test N] [--threads T] [--seed S] [--vae-code 20]

dense  Autoencoder 784-512-128-code-128-512-784, ReLU hidden layers, a linear code (the bench's codeActivation
       "none"), sigmoid + binary cross-entropy (mean per pixel), batch 256; initialised as latentkit's Autoencoder
       (He-uniform before a ReLU, Glorot-uniform otherwise, zero biases); the conv AE as latentkit's ConvAutoencoder
       (He-uniform and zero biases before a ReLU, PyTorch's default into the code and the logits); the VAE keeps
       PyTorch's default, which latentkit's Linear layers (and so its VAE) use too
conv   ConvAutoencoder, channels [16, 32], 3x3 kernels, transposed upsampling (latentkit's defaults, conv-nets.ts):
       Conv2d(1,16,3,p1) ReLU MaxPool2 Conv2d(16,32,3,p1) ReLU MaxPool2 Flatten Linear(1568, code);
       Linear(code, 1568) ReLU Unflatten ConvT(32,16,2,s2) ReLU ConvT(16,16,2,s2) ReLU Conv2d(16,1,3,p1); BCE, batch 128
vae    VAE 784-400-code(mu, log var)-400-784, ReLU, Bernoulli decoder: loss = (BCE sum + KL) / batch, batch 128

For each model: the training seconds (the epochs only), the test MSE per pixel of the reconstructions (sigmoid of
the logits; the VAE's from mu) and, for the VAE, the test negative ELBO per image with one sample of z, with its two
terms. Batches are the training rows in the order of one seeded permutation per epoch.
"""
import argparse, gzip, json, os, sys, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--models", default="dense,conv,vae")
p.add_argument("--code", type=int, default=32)
p.add_argument("--vae-code", type=int, default=None, help="code of the VAE (default --code)")
p.add_argument("--epochs", type=int, default=3)
p.add_argument("--conv-epochs", type=int, default=None, help="epochs of the conv AE (default --epochs)")
p.add_argument("--train", type=int, default=60000)
p.add_argument("--test", type=int, default=10000)
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


train = torch.from_numpy(idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))[:a.train].reshape(-1, 784).astype(np.float32) / 255.0)
test = torch.from_numpy(idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))[:a.test].reshape(-1, 784).astype(np.float32) / 255.0)


class Dense(nn.Module):
    def __init__(self, code):
        super().__init__()
        self.enc = nn.Sequential(nn.Linear(784, 512), nn.ReLU(), nn.Linear(512, 128), nn.ReLU(), nn.Linear(128, code))
        self.dec = nn.Sequential(nn.Linear(code, 128), nn.ReLU(), nn.Linear(128, 512), nn.ReLU(), nn.Linear(512, 784))
        # latentkit's Autoencoder initialisation: He-uniform before a ReLU, Glorot-uniform before the linear code and
        # the sigmoid output, zero biases
        for seq in (self.enc, self.dec):
            layers = list(seq)
            for i, m in enumerate(layers):
                if isinstance(m, nn.Linear):
                    relu_next = i + 1 < len(layers) and isinstance(layers[i + 1], nn.ReLU)
                    if relu_next:
                        nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                    else:
                        nn.init.xavier_uniform_(m.weight)
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.dec(self.enc(x))

    def loss(self, x):
        return F.binary_cross_entropy_with_logits(self(x), x), {}

    def reconstruct(self, x):
        return torch.sigmoid(self(x))


class Conv(nn.Module):
    def __init__(self, code):
        super().__init__()
        self.enc = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(32 * 7 * 7, code))
        self.dec = nn.Sequential(
            nn.Linear(code, 32 * 7 * 7), nn.ReLU(), nn.Unflatten(1, (32, 7, 7)),
            nn.ConvTranspose2d(32, 16, 2, stride=2), nn.ReLU(),
            nn.ConvTranspose2d(16, 16, 2, stride=2), nn.ReLU(),
            nn.Conv2d(16, 1, 3, padding=1))
        # latentkit's ConvAutoencoder initialisation: He-uniform with zero biases for every layer followed by a ReLU,
        # PyTorch's default for the layers into the code and into the logits
        for seq in (self.enc, self.dec):
            layers = list(seq)
            for i, m in enumerate(layers):
                if isinstance(m, (nn.Linear, nn.Conv2d, nn.ConvTranspose2d)) and i + 1 < len(layers) and isinstance(layers[i + 1], nn.ReLU):
                    nn.init.kaiming_uniform_(m.weight, nonlinearity="relu")
                    nn.init.zeros_(m.bias)

    def forward(self, x):
        return self.dec(self.enc(x.reshape(-1, 1, 28, 28))).reshape(-1, 784)

    def loss(self, x):
        return F.binary_cross_entropy_with_logits(self(x), x), {}

    def reconstruct(self, x):
        return torch.sigmoid(self(x))


class VAE(nn.Module):
    def __init__(self, code):
        super().__init__()
        self.fc1 = nn.Linear(784, 400)
        self.mu = nn.Linear(400, code)
        self.logvar = nn.Linear(400, code)
        self.fc3 = nn.Linear(code, 400)
        self.fc4 = nn.Linear(400, 784)

    def encode(self, x):
        h = F.relu(self.fc1(x))
        return self.mu(h), self.logvar(h)

    def decode(self, z):
        return self.fc4(F.relu(self.fc3(z)))

    def terms(self, x):
        mu, logvar = self.encode(x)
        z = mu + torch.randn_like(mu) * torch.exp(0.5 * logvar)
        rec = F.binary_cross_entropy_with_logits(self.decode(z), x, reduction="sum") / x.shape[0]
        kl = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp()) / x.shape[0]
        return rec, kl

    def loss(self, x):
        rec, kl = self.terms(x)
        return rec + kl, {"reconstruction": rec.item(), "kl": kl.item()}

    def reconstruct(self, x):
        return torch.sigmoid(self.decode(self.encode(x)[0]))


def run(name):
    code = a.vae_code if (name == "vae" and a.vae_code) else a.code
    model = {"dense": Dense, "conv": Conv, "vae": VAE}[name](code)
    batch = 256 if name == "dense" else 128
    epochs = a.conv_epochs if (name == "conv" and a.conv_epochs is not None) else a.epochs
    opt = torch.optim.Adam(model.parameters(), lr=1e-3)
    gen = torch.Generator().manual_seed(a.seed)
    n = train.shape[0]
    history = []
    model.train()
    t0 = time.perf_counter()
    for _ in range(epochs):
        perm = torch.randperm(n, generator=gen)
        total = 0.0
        for s in range(0, n, batch):
            xb = train[perm[s:s + batch]]
            opt.zero_grad(set_to_none=True)
            loss, _ = model.loss(xb)
            loss.backward()
            opt.step()
            total += loss.item() * xb.shape[0]
        history.append(total / n)
    seconds = time.perf_counter() - t0
    model.eval()
    out = {"model": name, "code": code, "epochs": epochs, "batch": batch, "seconds": seconds, "samplesPerSecond": epochs * n / seconds,
           "lossHistory": history}
    with torch.no_grad():
        rec = torch.cat([model.reconstruct(test[s:s + 1000]) for s in range(0, test.shape[0], 1000)])
        out["testMse"] = float(((rec - test) ** 2).mean())
        if name == "vae":
            torch.manual_seed(a.seed + 1)
            r = k = 0.0
            for s in range(0, test.shape[0], 1000):
                xb = test[s:s + 1000]
                rr, kk = model.terms(xb)
                r += rr.item() * xb.shape[0]
                k += kk.item() * xb.shape[0]
            out["testReconstruction"] = r / test.shape[0]
            out["testKl"] = k / test.shape[0]
            out["testNegElbo"] = (r + k) / test.shape[0]
    return out


results = [run(m) for m in a.models.split(",") if m]
print(json.dumps({"version": torch.__version__, "threads": a.threads, "train": int(train.shape[0]), "test": int(test.shape[0]), "results": results}))
