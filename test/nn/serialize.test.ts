import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { LatentkitError } from "../../src/core/errors.js";
import { parseSafetensors, serializeSafetensors } from "../../src/formats/safetensors.js";
import { readSafetensors, readStateDict, writeModule } from "../../src/io/safetensors.js";
import { Module, type ModuleSpec } from "../../src/nn/module.js";
import { ARCHITECTURE_KEY, architectureOf, loadModule, loadStateDict, saveModule } from "../../src/nn/serialize.js";
import { Tensor } from "../../src/nn/tensor.js";
import { scratchDir } from "../helpers.js";

// A module of the test's own (the serialiser needs only parameters, buffers, children and spec()).
class Affine extends Module {
  readonly weight: Tensor;
  readonly bias: Tensor;
  constructor(readonly inF: number, readonly outF: number, fill = 0) {
    super();
    this.weight = this.param("weight", Tensor.longLived([outF, inF]));
    this.bias = this.param("bias", Tensor.longLived([outF]));
    this.weight.data.forEach((_, i, d) => (d[i] = fill + i * 0.25));
    this.bias.data.forEach((_, i, d) => (d[i] = -fill - i));
  }
  forward(x: Tensor): Tensor {
    return x;
  }
  spec(): ModuleSpec {
    return { type: "Affine", args: { inF: this.inF, outF: this.outF } };
  }
}
class Net extends Module {
  readonly a: Affine;
  readonly stats: Tensor;
  constructor(fill = 0, width = 3) {
    super();
    this.a = this.child("0", new Affine(2, width, fill));
    this.child("1", new Affine(width, 1, fill + 1));
    this.stats = this.buffer("running_mean", Tensor.longLived([width]));
    this.stats.data.fill(fill + 0.5);
  }
  forward(x: Tensor): Tensor {
    return x;
  }
  spec(): ModuleSpec {
    return { type: "Net", children: this.children().map(([, m]) => m.spec()) };
  }
}

type Entry = [string, { shape: readonly number[]; data: ArrayLike<number> }];
const entriesOf = (m: Module): Entry[] => [...m.stateDict()].map(([n, t]) => [n, { shape: t.shape, data: t.data }]);

const throwsNaming = (fn: () => unknown, re: RegExp): void => {
  assert.throws(fn, (e: unknown) => e instanceof LatentkitError && re.test(e.message) && !e.message.includes("\n"));
};

test("saveModule writes state_dict names, shapes and float32 values, the architecture and extra metadata", () => {
  const net = new Net(2);
  const file = parseSafetensors(saveModule(net, { note: "hi" }));
  assert.deepEqual([...file.tensors.keys()], [...net.stateDict().keys()]);
  assert.deepEqual([...file.tensors.keys()].sort(), ["0.bias", "0.weight", "1.bias", "1.weight", "running_mean"]);
  assert.deepEqual(file.tensors.get("0.weight")!.shape, [3, 2]);
  assert.deepEqual([...file.tensors.get("0.weight")!.data], [2, 2.25, 2.5, 2.75, 3, 3.25]);
  assert.deepEqual([...file.tensors.get("1.bias")!.data], [-3]);
  assert.deepEqual([...file.tensors.get("running_mean")!.data], [2.5, 2.5, 2.5]);
  for (const t of file.tensors.values()) assert.equal(t.dtype, "F32");
  assert.equal(file.metadata.note, "hi");
  assert.equal(file.metadata.format, "pt");
  assert.deepEqual(JSON.parse(file.metadata[ARCHITECTURE_KEY]!), net.spec());
  assert.deepEqual(architectureOf(file), net.spec());
  throwsNaming(() => saveModule(net, { [ARCHITECTURE_KEY]: "{}" }), /latentkit\.architecture/);
});

test("loadStateDict copies every tensor by name into another module of the same architecture", () => {
  const src = new Net(5), dst = new Net(0);
  loadStateDict(dst, saveModule(src));
  for (const [name, t] of src.stateDict()) assert.deepEqual([...dst.stateDict().get(name)!.data], [...t.data], name);
  // PyTorch's BatchNorm counter is accepted and ignored when the module has no such buffer (the conv fixture of
  // interop.test.ts has it as I64)
  const withCounter = serializeSafetensors([...entriesOf(src), ["0.num_batches_tracked", { shape: [], data: [3] }]]);
  loadStateDict(new Net(0), withCounter, "counter.safetensors");
});

test("loadStateDict refuses missing, extra and misshapen tensors in one line naming the file, and copies nothing", () => {
  const src = new Net(5);
  const entries = entriesOf(src);
  const missing = serializeSafetensors(entries.filter(([n]) => n !== "1.weight"));
  const dst = new Net(0);
  const before = [...dst.a.weight.data];
  throwsNaming(() => loadStateDict(dst, missing, "m.safetensors"), /^m\.safetensors: .*missing "1\.weight"/);
  assert.deepEqual([...dst.a.weight.data], before, "a failed load changed the weights");
  const extra = serializeSafetensors([...entries, ["2.weight", { shape: [1], data: new Float32Array(1) }]]);
  throwsNaming(() => loadStateDict(dst, extra, "x.safetensors"), /^x\.safetensors: .*does not have: "2\.weight"/);
  loadStateDict(dst, extra, "x.safetensors", { strict: false });
  assert.deepEqual([...dst.a.weight.data], [...src.a.weight.data]);
  const wide = new Net(1, 4);
  throwsNaming(() => loadStateDict(wide, saveModule(src), "w.safetensors"), /^w\.safetensors: .*wrong shape: .*"0\.weight" is \[3, 2\] in the file, the module's is \[4, 2\]/);
  throwsNaming(() => loadStateDict(dst, new Uint8Array(3), "short.safetensors"), /^short\.safetensors: not a safetensors file/);
});

test("loadModule explains a weights-only file (a PyTorch state_dict) and a damaged architecture", () => {
  const net = new Net(1);
  const weightsOnly = serializeSafetensors(entriesOf(net));
  throwsNaming(() => loadModule(weightsOnly, "sd.safetensors"), /^sd\.safetensors: no architecture .*loadStateDict/);
  const estimator = serializeSafetensors(entriesOf(net), { latentkit: "{}" });
  throwsNaming(() => loadModule(estimator, "ae.safetensors"), /^ae\.safetensors: a saved latentkit estimator .*fromSafetensors/);
  const bad = serializeSafetensors([], { [ARCHITECTURE_KEY]: "{not json" });
  throwsNaming(() => loadModule(bad, "bad.safetensors"), /^bad\.safetensors: the architecture .* is not JSON/);
  const noType = serializeSafetensors([], { [ARCHITECTURE_KEY]: "[1]" });
  throwsNaming(() => loadModule(noType, "t.safetensors"), /^t\.safetensors: the architecture .* must be an object with a "type"/);
});

test("module files: written atomically, read back by path, messages name the path", () => {
  const path = join(scratchDir(), "net.safetensors");
  const net = new Net(3);
  writeModule(path, net, { epoch: "1" });
  const bytes = readFileSync(path);
  assert.equal(Number(bytes.readBigUInt64LE(0)) % 8, 0, "the data starts 8-byte aligned");
  assert.equal(readSafetensors(path).metadata.epoch, "1");
  const dst = new Net(0);
  readStateDict(dst, path);
  assert.deepEqual([...dst.stats.data], [3.5, 3.5, 3.5]);
  throwsNaming(() => readStateDict(new Net(0, 5), path), new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}: the weights do not fit`));
  throwsNaming(() => readSafetensors(join(scratchDir(), "none.safetensors")), /cannot read .*none\.safetensors: no such file/);
});

test("the serialiser is exported: bytes from latentkit's nn (browser-safe), files from latentkit/node", async () => {
  const main = await import("../../src/index.js");
  const node = await import("../../src/node.js");
  assert.equal(main.nn.saveModule, saveModule);
  assert.equal(main.nn.loadModule, loadModule);
  assert.equal(main.nn.loadStateDict, loadStateDict);
  assert.equal(node.readSafetensors, readSafetensors);
  assert.equal(node.readStateDict, readStateDict);
  assert.equal(node.writeModule, writeModule);
  assert.equal(typeof node.readModule, "function");
  assert.equal(typeof node.writeSafetensors, "function");
  // one set of checks: the file loader's are Module.loadStateDict's, with the file named
  const dst = new Net(0);
  throwsNaming(() => dst.loadStateDict(parseSafetensors(saveModule(new Net(0, 5))).tensors, { source: "n.safetensors", requireAll: true }),
    /^n\.safetensors: the weights do not fit the module/);
});
