import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { CancelledError } from "../../src/core/errors.js";
import type { Progress } from "../../src/core/estimator.js";
import { Matrix } from "../../src/core/matrix.js";
import { PCA } from "../../src/decomposition/pca.js";
import { readCsv } from "../../src/io/csv.js";
import { svd } from "../../src/linalg/svd.js";
import { qr } from "../../src/linalg/qr.js";
import { Random } from "../../src/core/random.js";
import { Autoencoder, DenseAutoencoderNet, type AutoencoderJSON } from "../../src/models/autoencoder.js";
import { backward, noGrad, tidy } from "../../src/nn/autograd.js";
import { bceWithLogits, mseLoss } from "../../src/nn/ops/index.js";
import { withEngineRoute } from "../../src/nn/storage.js";
import { Tensor } from "../../src/nn/tensor.js";
import { spawnSync } from "node:child_process";
import { PROJECT_DATA, maxAbsDiff, refuses, scratchFile } from "../helpers.js";

// the digits, 8x8 grey levels 0..16, scaled to [0, 1]
const raw = readCsv(join(PROJECT_DATA, "digits.csv.gz"), { labelColumn: -1 }).X;
const digits = new Matrix(raw.rows, raw.cols, Float32Array.from(raw.data, (v) => v / 16));
const small = digits.rowRange(0, 400);

test("Autoencoder options: defaults, validation with one line naming the option, cross-field rules", async () => {
  const ae = new Autoencoder();
  const p = ae.getParams();
  assert.deepEqual(p.layers, [512, 128]);
  assert.equal(p.code, 32);
  assert.equal(p.activation, "relu");
  assert.equal(p.loss, "bce");
  assert.equal(p.batchSize, 256);
  assert.equal(p.learningRate, 1e-3);
  assert.equal(p.optimizer, "adam");
  assert.equal(ae.outputActivation, "sigmoid");
  assert.equal(new Autoencoder({ loss: "mse" }).outputActivation, "none");
  assert.deepEqual(Object.keys(p).sort(), Object.keys(Autoencoder.schema).sort());
  await refuses(() => new Autoencoder({ code: 0 }), /^code must be an integer >= 1, got 0$/);
  await refuses(() => new Autoencoder({ layers: [64, 0] }), /^layers must be an array of integers >= 1/);
  await refuses(() => new Autoencoder({ layers: "512,128" as unknown as number[] }), /^layers must be/);
  await refuses(() => new Autoencoder({ learningRate: 0 }), /^learningRate must be a number > 0, got 0$/);
  await refuses(() => new Autoencoder({ loss: "l1" as "mse" }), /^loss must be "bce" or "mse", got "l1"$/);
  await refuses(() => new Autoencoder({ activation: "softplus" as "relu" }), /^activation must be/);
  await refuses(() => new Autoencoder({ validationFraction: 1 }), /^validationFraction must be a number in \[0, 1\)/);
  await refuses(() => new Autoencoder({ epochs: 2.5 }), /^epochs must be an integer >= 1, got 2.5$/);
  await refuses(() => new Autoencoder({ batchSize: NaN }), /^batchSize must be an integer >= 1, got NaN$/);
  await refuses(() => new Autoencoder({ cod: 3 } as never), /unknown option "cod" for Autoencoder: did you mean "code"\?/);
  await refuses(() => new Autoencoder({ loss: "bce", outputActivation: "none" }), /outputActivation must be "sigmoid"/);
  // a layers array given is copied, so changing it later changes nothing
  const layers = [8];
  const a2 = new Autoencoder({ layers });
  layers.push(4);
  assert.deepEqual(a2.options.layers, [8]);
  // not fitted; inputs checked
  await refuses(() => ae.transform(small), /not fitted yet: call fit\(\) first/);
  await refuses(() => ae.history, /not fitted yet/);
  await refuses(() => new Autoencoder({ layers: [4], code: 2, epochs: 1 }).fit(raw), /X\[0\]\[2\] is 5: loss "bce" needs values in \[0, 1\]/);
});

test("Autoencoder: the reconstruction error falls during training on the digits; codes, decoding and loss getters", async () => {
  const opts = { layers: [32], code: 8, batchSize: 64, learningRate: 3e-3, seed: 1 };
  const one = await new Autoencoder({ ...opts, epochs: 1 }).fit(digits);
  const ae = await new Autoencoder({ ...opts, epochs: 8 }).fit(digits);
  const e1 = one.reconstructionError(digits), e8 = ae.reconstructionError(digits);
  assert.ok(e8 < 0.85 * e1, `reconstruction error ${e1} after 1 epoch, ${e8} after 8`);
  const h = ae.history.train;
  assert.equal(h.length, 8);
  for (let i = 1; i < h.length; i++) assert.ok(h[i]! < h[i - 1]!, `training loss rose at epoch ${i + 1}: ${h}`);
  assert.equal(ae.loss, h[7]);
  assert.ok(ae.history.samplesPerSecond > 0);
  // the same seed gives the same model
  const again = await new Autoencoder({ ...opts, epochs: 1 }).fit(digits);
  assert.deepEqual(again.history.train, one.history.train);
  const Z = ae.transform(digits);
  assert.equal(Z.rows, digits.rows);
  assert.equal(Z.cols, 8);
  const R = ae.inverseTransform(Z);
  assert.equal(R.cols, 64);
  for (const v of R.data) assert.ok(v > 0 && v < 1, "BCE reconstructions are probabilities");
  assert.ok(maxAbsDiff(R, ae.reconstruct(digits)) < 1e-5);
  // reconstructions are closer to their own image than the mean image is
  let errMean = 0, errRec = 0;
  const mean = new Float64Array(64);
  for (let i = 0; i < digits.rows; i++) for (let j = 0; j < 64; j++) mean[j]! += digits.data[i * 64 + j]! / digits.rows;
  for (let i = 0; i < digits.rows; i++) {
    for (let j = 0; j < 64; j++) {
      errRec += (R.data[i * 64 + j]! - digits.data[i * 64 + j]!) ** 2;
      errMean += (mean[j]! - digits.data[i * 64 + j]!) ** 2;
    }
  }
  assert.ok(errRec < 0.6 * errMean, `squared error ${errRec} vs ${errMean} for the mean image`);
  await refuses(() => ae.transform(small.selectRows([0]).rowRange(0, 1).transpose()), /X has 1 features, but this Autoencoder was fitted with 64/);
  await refuses(() => ae.inverseTransform(digits), /Z has 64 columns, but this Autoencoder's code has 8/);
});

test("Autoencoder JSON and safetensors round trips give the same codes, reconstructions and parameters", async () => {
  for (const tied of [false, true]) {
    const ae = await new Autoencoder({ layers: [16], code: 4, epochs: 2, batchSize: 50, tied, loss: "mse", outputActivation: "sigmoid", validationFraction: 0.1 }).fit(small);
    const names = [...ae.weights.keys()];
    assert.deepEqual(names, tied
      ? ["encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "decoder.0.bias", "decoder.1.bias"]
      : ["encoder.0.weight", "encoder.0.bias", "encoder.1.weight", "encoder.1.bias", "decoder.0.weight", "decoder.0.bias", "decoder.1.weight", "decoder.1.bias"]);
    assert.deepEqual([ae.weights.get("encoder.0.weight")!.rows, ae.weights.get("encoder.0.weight")!.cols], [16, 64], "PyTorch's [out, in] layout");
    const json = JSON.parse(JSON.stringify(ae.toJSON())) as AutoencoderJSON;
    const back = Autoencoder.fromJSON(json);
    assert.deepEqual(back.getParams(), { ...ae.getParams(), onProgress: undefined, signal: undefined });
    const X = digits.rowRange(1000, 1100);
    assert.equal(maxAbsDiff(back.transform(X), ae.transform(X)), 0);
    assert.equal(maxAbsDiff(back.reconstruct(X), ae.reconstruct(X)), 0);
    assert.deepEqual(back.history.train, ae.history.train);
    assert.equal(back.history.validation.length, 2);
    assert.equal(back.reconstructionError(X), ae.reconstructionError(X));
    const st = Autoencoder.fromSafetensors(ae.toSafetensors());
    assert.equal(maxAbsDiff(st.transform(X), ae.transform(X)), 0);
    assert.deepEqual(st.getParams(), back.getParams());
    // damaged files are refused with a line naming the weight
    const bad = structuredClone(json);
    bad.weights["encoder.0.weight"]!.shape = [16, 63];
    await refuses(() => Autoencoder.fromJSON(bad), /weight "encoder.0.weight" has shape \[16, 63\].*expected \[16, 64\]/);
    const missing = structuredClone(json);
    delete missing.weights["encoder.1.bias"];
    await refuses(() => Autoencoder.fromJSON(missing), /weight "encoder.1.bias" \[4\] is missing/);
    const extra = structuredClone(json);
    extra.weights["decoder.9.weight"] = extra.weights["encoder.1.bias"]!;
    await refuses(() => Autoencoder.fromJSON(extra), /unexpected weight "decoder.9.weight"/);
    const nan = structuredClone(json);
    const b = new Uint8Array(4 * 4);
    new DataView(b.buffer).setFloat32(0, NaN, true);
    nan.weights["encoder.1.bias"]!.base64 = btoa(String.fromCharCode(...b));
    await refuses(() => Autoencoder.fromJSON(nan), /weight "encoder.1.bias" element 0 is NaN/);
    await refuses(() => Autoencoder.fromJSON({ ...json, type: "PCA" } as never), /expected a saved Autoencoder/);
    await refuses(() => Autoencoder.fromJSON({ ...json, options: { ...json.options, code: 5 } }), /weight "encoder.1.weight" has shape \[4, 16\]/);
  }
});

test("Autoencoder: progress per epoch, cancellation through the signal, validation and early stopping", async () => {
  const seen: Progress[] = [];
  const ae = await new Autoencoder({ layers: [8], code: 2, epochs: 3, batchSize: 100, validationFraction: 0.25, onProgress: (p) => seen.push(p) }).fit(small);
  const ends = seen.filter((p) => p.metrics.valLoss !== undefined);
  assert.deepEqual(ends.map((p) => p.stage), ["epoch 1/3", "epoch 2/3", "epoch 3/3"]);
  assert.ok(ends.every((p) => p.total === 9 && p.metrics.lr === 1e-3 && p.metrics.samplesPerSecond! > 0));
  assert.equal(ae.history.validation.length, 3);
  assert.equal(ae.validationLoss, ae.history.validation[2]);
  const ac = new AbortController();
  const aborted = new Autoencoder({ layers: [8], code: 2, epochs: 50, batchSize: 10, signal: ac.signal, onProgress: () => ac.abort() });
  await assert.rejects(aborted.fit(small), (e: unknown) => e instanceof CancelledError && /Autoencoder.fit was cancelled/.test(e.message));
  await refuses(() => aborted.transform(small), /not fitted yet/);
  // a learning rate of zero (almost) never improves: early stopping ends the run after `patience` epochs
  const stuck = await new Autoencoder({ layers: [8], code: 2, epochs: 30, learningRate: 1e-30, earlyStopping: 2, minDelta: 1e-6 }).fit(small);
  assert.equal(stuck.history.stoppedEarly, true);
  assert.equal(stuck.history.train.length, 3);
});

/** Principal angles (radians) between the column spaces of A and B (d x k each). */
function principalAngles(A: Matrix, B: Matrix): number[] {
  const k = A.cols;
  const Qa = qr(A.astype("float64")).Q, Qb = qr(B.astype("float64")).Q;
  const M = Matrix.zeros(k, k, "float64");
  for (let a = 0; a < k; a++) {
    for (let b = 0; b < k; b++) {
      let s = 0;
      for (let i = 0; i < A.rows; i++) s += Qa.get(i, a) * Qb.get(i, b);
      M.set(a, b, s);
    }
  }
  return Array.from(svd(M, { computeU: false }).S, (c) => Math.acos(Math.min(1, c)));
}

test("a linear autoencoder (no activation, MSE, code k) on the digits spans PCA's first k components (principal angles < 1e-2)", async () => {
  // centred data: the biases then have no mean to learn, which the subspace would wait for
  const d = digits.cols, n = digits.rows;
  const mean = new Float64Array(d);
  for (let i = 0; i < n; i++) for (let j = 0; j < d; j++) mean[j]! += digits.data[i * d + j]! / n;
  const Xc = new Matrix(n, d, Float32Array.from(digits.data, (v, t) => v - mean[t % d]!));
  const k = 3;
  const pca = await new PCA({ nComponents: k, solver: "full" }).fit(Xc);
  const ae = await new Autoencoder({
    layers: [], code: k, activation: "none", loss: "mse", epochs: 30, batchSize: 16, learningRate: 2e-2, lrSchedule: "cosine", seed: 0,
  }).fit(Xc);
  const decoder = ae.weights.get("decoder.0.weight")!; // [d, k]: its columns span the decoder's image
  const angles = principalAngles(decoder, pca.components.transpose());
  assert.ok(Math.max(...angles) < 1e-2, `principal angles ${angles}`);
  // ...and its loss is PCA's reconstruction error per element
  const pcaErr = pca.reconstructionError(Xc) / (n * d);
  const aeErr = ae.reconstructionError(Xc);
  assert.ok(aeErr >= pcaErr * (1 - 1e-4) && aeErr < pcaErr * 1.01, `autoencoder ${aeErr}, PCA ${pcaErr}`);
  // a random 3-D subspace is far from it (the check can fail)
  const rnd = new Matrix(d, k, Float32Array.from({ length: d * k }, (_, t) => Math.sin(t * 12.9898) * 43758.5453 % 1));
  assert.ok(Math.max(...principalAngles(rnd, pca.components.transpose())) > 0.5);
});

test("Autoencoder: AdamW's decoupled weight decay shrinks the weights", async () => {
  const norm = (ae: Autoencoder): number => {
    let s = 0;
    for (const v of ae.weights.get("encoder.0.weight")!.data) s += v * v;
    return s;
  };
  const base = { layers: [16], code: 4, epochs: 3, batchSize: 50, seed: 3 };
  const plainAdam = await new Autoencoder(base).fit(small);
  const decayed = await new Autoencoder({ ...base, optimizer: "adamw", weightDecay: 1 }).fit(small);
  assert.ok(norm(decayed) < 0.97 * norm(plainAdam), `${norm(decayed)} vs ${norm(plainAdam)}`);
  assert.equal(Autoencoder.fromJSON(JSON.parse(JSON.stringify(decayed.toJSON()))).options.optimizer, "adamw");
  await refuses(() => new Autoencoder({ optimizer: "rmsprop" as "adam" }), /^optimizer must be "adam" or "adamw", got "rmsprop"$/);
});

// the file's weights in PyTorch (read by hand: no safetensors package needed) give the same codes and reconstructions
const TORCH_FORWARD = `
import json, struct, sys, torch
b = open(sys.argv[1], "rb").read()
n = struct.unpack("<Q", b[:8])[0]
h = json.loads(b[8:8 + n]); meta = json.loads(h.pop("__metadata__")["latentkit"])
t = {k: torch.frombuffer(bytearray(b[8 + n + v["data_offsets"][0]:8 + n + v["data_offsets"][1]]), dtype=torch.float32).reshape(v["shape"]) for k, v in h.items()}
x = torch.tensor(json.load(open(sys.argv[2])))
act = {"relu": torch.relu, "tanh": torch.tanh, "none": lambda v: v}[meta["options"]["activation"]]
L = len(meta["options"]["layers"]) + 1
for i in range(L): x = act(x @ t[f"encoder.{i}.weight"].T + t[f"encoder.{i}.bias"])
z = x
for j in range(L):
    w = t[f"encoder.{L - 1 - j}.weight"] if meta["options"]["tied"] else t[f"decoder.{j}.weight"].T
    x = x @ w + t[f"decoder.{j}.bias"]
    x = act(x) if j < L - 1 else torch.sigmoid(x)
print(json.dumps({"z": z.flatten().tolist(), "r": x.flatten().tolist()}))
`;

test("a saved Autoencoder (safetensors) gives the same codes and reconstructions in PyTorch", async (t) => {
  if (spawnSync("/usr/bin/python3", ["-c", "import torch"]).status !== 0) {
    t.skip("PyTorch is not installed (/usr/bin/python3 -c 'import torch' failed)");
    return;
  }
  const X = digits.rowRange(0, 5);
  for (const tied of [false, true]) {
    const ae = await new Autoencoder({ layers: [16], code: 4, epochs: 1, batchSize: 100, tied, activation: "tanh" }).fit(small);
    const model = scratchFile(`torch-${tied}.safetensors`, ae.toSafetensors());
    const input = scratchFile("torch-x.json", JSON.stringify(Array.from({ length: X.rows }, (_, i) => Array.from(X.row(i)))));
    const script = scratchFile("forward.py", TORCH_FORWARD);
    const r = spawnSync("/usr/bin/python3", [script, model, input], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { z: number[]; r: number[] };
    const near = (a: ArrayLike<number>, b: number[]): number => Math.max(...b.map((v, i) => Math.abs(v - a[i]!)));
    assert.ok(near(ae.transform(X).data, out.z) < 1e-5, `codes, tied ${tied}`);
    assert.ok(near(ae.reconstruct(X).data, out.r) < 1e-5, `reconstructions, tied ${tied}`);
  }
});

test("the network's gradients (untied and tied, where the shared weight gets two contributions) match central differences in float64", () => {
  withEngineRoute("ts64", () => {
    for (const tied of [false, true]) {
      for (const loss of ["bce", "mse"] as const) {
        const rng = new Random(4);
        const net = new DenseAutoencoderNet({ sizes: [7, 5, 3], tied, activation: "tanh", codeActivation: "none" }, rng);
        const x = Tensor.longLived([4, 7]);
        for (let i = 0; i < x.size; i++) x.data[i] = rng.uniform();
        const f = (): Tensor => (loss === "bce" ? bceWithLogits(net.forward(x), x) : mseLoss(net.decode(net.encode(x), "sigmoid"), x));
        tidy(() => backward(f()));
        const value = (): number => tidy(() => noGrad(() => f().item()));
        let worst = 0;
        let largest = 0;
        for (const [name, p] of net.namedParameters()) {
          for (const g of p.grad!.data) largest = Math.max(largest, Math.abs(g));
          for (let i = 0; i < p.size; i++) {
            const v = p.data[i]!;
            p.data[i] = v + 1e-6;
            const up = value();
            p.data[i] = v - 1e-6;
            const down = value();
            p.data[i] = v;
            const err = Math.abs((up - down) / 2e-6 - p.grad!.data[i]!);
            assert.ok(err < 1e-7, `${name}[${i}] (tied ${tied}, ${loss}): analytic ${p.grad!.data[i]}, numeric ${(up - down) / 2e-6}`);
            worst = Math.max(worst, err);
          }
        }
        assert.ok(largest > 1e-3 && worst < 1e-7, `largest gradient ${largest}, worst error ${worst}`);
        assert.deepEqual(net.namedParameters().map(([n]) => n).filter((n) => n.startsWith("decoder") && n.endsWith("weight")).length, tied ? 0 : 2);
        net.dispose();
        x.dispose();
      }
    }
  });
});
