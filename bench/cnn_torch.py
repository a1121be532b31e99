"""PyTorch side of bench/cnn: the same convolutional net as latentkit's CNNClassifier, built as a torch.nn.Sequential
from the same layer tokens (src/models/cnn-layers.ts: the state names match, so a latentkit model file's tensors load
with load_state_dict), started from latentkit's initial weights, trained with the same epochs, batch size, optimiser
(Adam) and learning rate on the same Fashion-MNIST rows; then FGSM accuracy against eps of the torch-trained net and
of latentkit's trained weights loaded into torch. Prints one JSON object.

usage: /usr/bin/python3 bench/cnn_torch.py DATA_DIR --layers TOKENS --init init.safetensors --epochs E
       [--batch-size 128] [--lr 1e-3] [--train N] [--test N] [--threads T] [--seed S]
       [--save trained.safetensors] [--ours ours.safetensors] [--eps 0,0.05,...] [--fgsm-test N] [--time-threads 1 --time-samples 10000]

What differs from latentkit's run: the batch order (torch.randperm with its own seed) and the dropout masks. Batches are
the training rows in one random permutation per epoch, the last one partial, as latentkit's fitLoop draws them.
--save writes the trained state_dict as safetensors (float32, without num_batches_tracked) with the "latentkit"
metadata of --ours copied in, so that latentkit's CNNClassifier.fromSafetensors reads it. The safetensors format is
read and written here directly (8-byte little-endian header length, a JSON header, raw little-endian data): the
Debian system has no safetensors module.
"""
import argparse, copy, gzip, json, os, re, time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

p = argparse.ArgumentParser()
p.add_argument("data")
p.add_argument("--layers", required=True)
p.add_argument("--init", required=True)
p.add_argument("--epochs", type=int, default=2)
p.add_argument("--batch-size", type=int, default=128)
p.add_argument("--lr", type=float, default=1e-3)
p.add_argument("--train", type=int, default=60000)
p.add_argument("--test", type=int, default=10000)
p.add_argument("--threads", type=int, default=2)
p.add_argument("--seed", type=int, default=0)
p.add_argument("--save", default=None)
p.add_argument("--ours", default=None, help="latentkit's trained model: FGSM on its weights in torch; its metadata goes into --save")
p.add_argument("--fgsm-test", type=int, default=None, help="FGSM on the first N test images (default: all)")
p.add_argument("--eps", default="0,0.05,0.1,0.15,0.2,0.25,0.3")
p.add_argument("--time-threads", type=int, default=None, help="also time this many threads (training from the initial weights on --time-samples rows)")
p.add_argument("--time-samples", type=int, default=10000)
a = p.parse_args()

torch.manual_seed(a.seed)


def idx(path):
    with gzip.open(path, "rb") as f:
        raw = f.read()
    dims = raw[3]
    shape = [int.from_bytes(raw[4 + 4 * i:8 + 4 * i], "big") for i in range(dims)]
    return np.frombuffer(raw, dtype=np.uint8, offset=4 + 4 * dims).reshape(shape)


def read_safetensors(path):
    with open(path, "rb") as f:
        b = f.read()
    n = int.from_bytes(b[:8], "little")
    header = json.loads(b[8:8 + n])
    meta = header.pop("__metadata__", {})
    out = {}
    for name, t in header.items():
        if t["dtype"] != "F32":
            raise SystemExit(f"{path}: tensor {name} is {t['dtype']}, expected F32")
        s, e = t["data_offsets"]
        out[name] = torch.from_numpy(np.frombuffer(b, dtype="<f4", count=(e - s) // 4, offset=8 + n + s).reshape(t["shape"]).copy())
    return out, meta


def write_safetensors(path, tensors, meta):
    header, blobs, at = {}, [], 0
    for name, t in tensors.items():
        data = t.detach().contiguous().to(torch.float32).numpy().astype("<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [at, at + len(data)]}
        blobs.append(data)
        at += len(data)
    if meta:
        header["__metadata__"] = meta
    h = json.dumps(header).encode()
    h += b" " * ((8 - len(h) % 8) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little") + h + b"".join(blobs))


TOKEN = re.compile(r"^(conv)(\d+)(?:x(\d+))?(?:s(\d+))?$|^(bn|relu|gap|flatten)$|^(maxpool|avgpool)(\d+)?$|^(dropout)(\d*\.?\d+)?$"
                   r"|^(res|resbn|plain|plainbn)(\d+)$|^(dense)(\d+)$")


class Residual(nn.Module):
    def __init__(self, inner):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return x + self.inner(x)


class GlobalAvgPool(nn.Module):
    def forward(self, x):
        return x.mean((2, 3))


def build(layers, shape, n_classes):
    """The torch.nn.Sequential of a token list (cnn-layers.ts), one child per token, then the logits Linear."""
    c, h, w = shape
    flat = None  # features once flat
    mods = []
    for tok in [t for t in re.split(r"[\s,]+", layers.lower()) if t]:
        m = TOKEN.match(tok)
        if not m:
            raise SystemExit(f"unknown layer {tok}")
        if m[1]:
            co, k, s = int(m[2]), int(m[3] or 3), int(m[4] or 1)
            mods.append(nn.Conv2d(c, co, k, stride=s, padding=k // 2))
            c, h, w = co, (h + 2 * (k // 2) - k) // s + 1, (w + 2 * (k // 2) - k) // s + 1
        elif m[5] == "bn":
            mods.append(nn.BatchNorm1d(flat) if flat else nn.BatchNorm2d(c))
        elif m[5] == "relu":
            mods.append(nn.ReLU())
        elif m[5] == "gap":
            mods.append(GlobalAvgPool())
            flat = c
        elif m[5] == "flatten":
            mods.append(nn.Flatten())
            flat = c * h * w
        elif m[6]:
            k = int(m[7] or 2)
            mods.append(nn.MaxPool2d(k) if m[6] == "maxpool" else nn.AvgPool2d(k))
            h, w = h // k, w // k
        elif m[8]:
            mods.append(nn.Dropout(float(m[9]) if m[9] else 0.5))
        elif m[10]:
            k = int(m[11])
            bn = m[10].endswith("bn")
            inner = [nn.Conv2d(k, k, 3, padding=1)] + ([nn.BatchNorm2d(k)] if bn else []) + [nn.ReLU(), nn.Conv2d(k, k, 3, padding=1)] + ([nn.BatchNorm2d(k)] if bn else [])
            inner = nn.Sequential(*inner)
            mods.append(nn.Sequential(Residual(inner) if m[10].startswith("res") else inner, nn.ReLU()))
        elif m[12]:
            mods.append(nn.Linear(flat, int(m[13])))
            flat = int(m[13])
    mods.append(nn.Linear(flat, n_classes))
    return nn.Sequential(*mods)


def load_into(net, path):
    tensors, meta = read_safetensors(path)
    state = net.state_dict()
    for k in state:
        if k.endswith("num_batches_tracked"):
            continue
        if k not in tensors:
            raise SystemExit(f"{path}: no tensor {k}")
        state[k] = tensors[k]
    net.load_state_dict(state)
    return meta


Xtr = torch.from_numpy(idx(os.path.join(a.data, "train-images-idx3-ubyte.gz"))[:a.train].astype(np.float32) / 255.0).unsqueeze(1)
ytr = torch.from_numpy(idx(os.path.join(a.data, "train-labels-idx1-ubyte.gz"))[:a.train].astype(np.int64))
Xte = torch.from_numpy(idx(os.path.join(a.data, "t10k-images-idx3-ubyte.gz"))[:a.test].astype(np.float32) / 255.0).unsqueeze(1)
yte = torch.from_numpy(idx(os.path.join(a.data, "t10k-labels-idx1-ubyte.gz"))[:a.test].astype(np.int64))
shape = tuple(Xtr.shape[1:])


def train(net, epochs, X, y, seed):
    """Adam on shuffled mini-batches; returns (seconds, samples/s, last epoch's mean loss and accuracy)."""
    opt = torch.optim.Adam(net.parameters(), lr=a.lr)
    g = torch.Generator().manual_seed(seed)
    n, bs = X.shape[0], a.batch_size
    seconds, loss_sum, hit, seen = 0.0, 0.0, 0, 0
    for _ in range(epochs):
        net.train()
        perm = torch.randperm(n, generator=g)
        loss_sum, hit, seen = 0.0, 0, 0
        t0 = time.perf_counter()
        for b in range(0, n, bs):
            i = perm[b:b + bs]
            logits = net(X[i])
            loss = F.cross_entropy(logits, y[i])
            opt.zero_grad()
            loss.backward()
            opt.step()
            loss_sum += loss.item() * len(i)
            hit += (logits.argmax(1) == y[i]).sum().item()
            seen += len(i)
        seconds += time.perf_counter() - t0
    net.eval()
    return seconds, epochs * n / seconds, loss_sum / seen, hit / seen


def accuracy(net, X, y):
    net.eval()
    with torch.no_grad():
        return sum((net(X[s:s + 1000]).argmax(1) == y[s:s + 1000]).sum().item() for s in range(0, X.shape[0], 1000)) / X.shape[0]


def fgsm_curve(net, X, y, eps_list):
    """Accuracy on x + eps·sign(∇x loss), clipped to [0, 1], for each eps (eval mode; eps 0: clean)."""
    net.eval()
    out = []
    for eps in eps_list:
        hit = 0
        for s in range(0, X.shape[0], 500):
            x = X[s:s + 500].clone().requires_grad_(True)
            loss = F.cross_entropy(net(x), y[s:s + 500])
            (g,) = torch.autograd.grad(loss, x)
            xa = (x + eps * g.sign()).clamp(0, 1).detach() if eps > 0 else x.detach()
            with torch.no_grad():
                hit += (net(xa).argmax(1) == y[s:s + 500]).sum().item()
        out.append({"eps": eps, "accuracy": hit / X.shape[0]})
    return out


result = {"layers": a.layers, "torch": torch.__version__, "threads": a.threads, "epochs": a.epochs, "batchSize": a.batch_size, "lr": a.lr,
          "nTrain": int(Xtr.shape[0]), "nTest": int(Xte.shape[0])}
n_classes = int(max(ytr.max().item(), yte.max().item())) + 1
net = build(a.layers, shape, n_classes)
load_into(net, a.init)
result["initialAccuracy"] = accuracy(net, Xte, yte)
if a.time_threads is not None:
    torch.set_num_threads(a.time_threads)
    probe = copy.deepcopy(net)
    m = min(a.time_samples, Xtr.shape[0])
    result["timed"] = {"threads": a.time_threads, "samples": m, "samplesPerSecond": train(probe, 1, Xtr[:m], ytr[:m], a.seed + 1)[1]}
torch.set_num_threads(a.threads)
seconds, sps, loss, acc = train(net, a.epochs, Xtr, ytr, a.seed)
result.update({"seconds": seconds, "samplesPerSecond": sps, "trainLoss": loss, "trainAccuracy": acc, "testAccuracy": accuracy(net, Xte, yte)})
eps = [float(e) for e in a.eps.split(",") if e != ""]
t0 = time.perf_counter()
nf = a.fgsm_test or Xte.shape[0]
result["fgsm"] = fgsm_curve(net, Xte[:nf], yte[:nf], eps)
result["fgsmSeconds"] = time.perf_counter() - t0
meta = {}
if a.ours:
    ours = build(a.layers, shape, n_classes)
    meta = load_into(ours, a.ours)
    result["oursTestAccuracy"] = accuracy(ours, Xte, yte)
    result["oursFgsm"] = fgsm_curve(ours, Xte[:nf], yte[:nf], eps)
if a.save:
    write_safetensors(a.save, {k: v for k, v in net.state_dict().items() if not k.endswith("num_batches_tracked")}, meta)
print(json.dumps(result))
