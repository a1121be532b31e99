import { test } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import * as abi from "../../assembly/abi.js";
import { KERNELS_FMA_WASM_BASE64, KERNELS_LAYOUT, KERNELS_WASM_BASE64 } from "../../src/core/wasm/kernels-binary.js";
import { PART_KERNELS } from "../../src/core/wasm/kernel-exports.js";
import { CTL_INTS, opId, opKernel } from "../../src/core/wasm/jobs.js";
import { layoutProblems, moduleLayout } from "../../src/core/wasm/layout.js";
import { ParamBlock, wasmCore } from "../../src/core/wasm/runtime.js";
import { PROJECT_DATA, runCli } from "../helpers.js";

const binaries = [KERNELS_WASM_BASE64, KERNELS_FMA_WASM_BASE64].map((b) => new Uint8Array(Buffer.from(b, "base64")));
const A = abi as unknown as Record<string, number>;

test("the embedded kernels were built with the ABI's layout: static data (if any) between DATA_BASE and HEAP_BASE", () => {
  assert.deepEqual({ ...KERNELS_LAYOUT }, { dataBase: abi.DATA_BASE, dataEnd: KERNELS_LAYOUT.dataEnd, heapBase: abi.HEAP_BASE });
  assert.ok(KERNELS_LAYOUT.dataEnd >= abi.DATA_BASE && KERNELS_LAYOUT.dataEnd <= abi.HEAP_BASE);
  for (const b of binaries) assert.deepEqual(layoutProblems(moduleLayout(b), abi.DATA_BASE, abi.HEAP_BASE), []);
  // page 0: control block, then the call block, then the module's data; the heap from HEAP_BASE
  assert.ok(CTL_INTS * 4 <= abi.CONTROL_BYTES && abi.CONTROL_BYTES <= abi.CALL_BLOCK);
  assert.ok(abi.CALL_BLOCK + 4 * abi.CALL_BLOCK_SLOTS <= abi.DATA_BASE && abi.DATA_BASE <= abi.HEAP_BASE);
});

test("the layout check rejects static data that reaches into the heap or the control block (real asc output)", async () => {
  const asc = (await import("assemblyscript/asc")).default;
  const compile = async (chars: number, memoryBase: number): Promise<Uint8Array> => {
    const out: Record<string, Uint8Array> = {};
    const source = `const S = "${"latentkit".repeat(Math.ceil(chars / 9)).slice(0, chars)}";\n` +
      "export function at(i: i32): i32 { return S.charCodeAt(i); }\n";
    const { error, stderr } = await asc.main(
      ["t.ts", "--outFile", "t.wasm", "--runtime", "stub", "--importMemory", "--memoryBase", String(memoryBase), "-O1"],
      { readFile: (name: string) => (name === "t.ts" ? source : null), writeFile: (name: string, c: string | Uint8Array) => { out[name] = c as Uint8Array; } },
    );
    assert.equal(error, null, String(stderr));
    return out["t.wasm"]!;
  };
  const small = moduleLayout(await compile(100, abi.DATA_BASE));
  assert.ok(small.segments.length >= 1 && small.segments.every((s) => s.offset !== null && s.offset >= abi.DATA_BASE));
  assert.deepEqual(layoutProblems(small, abi.DATA_BASE, abi.HEAP_BASE), []);
  // 40000 UTF-16 characters from DATA_BASE end past 64 KiB
  const big = layoutProblems(moduleLayout(await compile(40000, abi.DATA_BASE)), abi.DATA_BASE, abi.HEAP_BASE);
  assert.ok(big.some((p) => /reaches into the allocator's heap/.test(p)), big.join("; "));
  const low = layoutProblems(moduleLayout(await compile(100, 8)), abi.DATA_BASE, abi.HEAP_BASE);
  assert.ok(low.some((p) => /inside the control block/.test(p)), low.join("; "));
  assert.throws(() => moduleLayout(new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8])), /not a WebAssembly binary/);
});

test("every xxxPart export is in the op table with three parameters, and op ids round-trip", () => {
  const core = wasmCore(); // sets the engine flags the FMA build needs in Node 20
  const module = new WebAssembly.Module(binaries[0]! as BufferSource);
  const fns = WebAssembly.Module.exports(module).filter((e) => e.kind === "function").map((e) => e.name);
  assert.deepEqual(fns.filter((n) => n.endsWith("Part")), [...PART_KERNELS]);
  if (WebAssembly.validate(binaries[1]! as BufferSource)) {
    assert.deepEqual(WebAssembly.Module.exports(new WebAssembly.Module(binaries[1]! as BufferSource)).map((e) => e.name),
      WebAssembly.Module.exports(module).map((e) => e.name));
  }
  for (const k of PART_KERNELS) {
    assert.equal(opKernel(opId(k)), k);
    if (core) assert.equal((core.kernels[k] as (...a: number[]) => void).length, 3, k);
  }
  assert.throws(() => opKernel(PART_KERNELS.length + 1), /no parallel kernel/);
  assert.throws(() => opId("packB" as never), /not a parallel kernel/);
});

test("ABI parameter blocks: the fields of each block do not overlap, f64 fields are even, call-block jobs fit", () => {
  const F64 = new Set(["BH_THETA2", "UMAP_EPOCH", "UMAP_ALPHA", "UMAP_A", "UMAP_B", "UMAP_GAMMA"]);
  const NOT_SLOTS = new Set(["UMAP_POW_EMIN", "UMAP_POW_EMAX", "W2V_EXP_SIZE", "W2V_MAX_EXP", "GEMM_MR", "GEMM_NR", "GEMM_KC",
    "GEMM_MC", "GEMM_WORK_FLOATS", "FFT_SCRATCH_PLANES"]);
  const blocks: Record<string, number> = { TSNE_ATTR_: A.TSNE_ATTR_SLOTS!, BH_: A.BH_SLOTS!, TSNE_QUERY_: A.TSNE_QUERY_SLOTS!, UMAP_: A.UMAP_SLOTS!, W2V_: A.W2V_SLOTS!,
    GEMM_: abi.CALL_BLOCK_SLOTS, ROWNORMS_: abi.CALL_BLOCK_SLOTS, KNN_: abi.CALL_BLOCK_SLOTS, SQDIST_: abi.CALL_BLOCK_SLOTS,
    CSR_: abi.CALL_BLOCK_SLOTS, FFT_: abi.CALL_BLOCK_SLOTS, TSNE_GRAD_: abi.CALL_BLOCK_SLOTS };
  for (const [prefix, slots] of Object.entries(blocks)) {
    const used = new Map<number, string>();
    for (const [name, slot] of Object.entries(A)) {
      if (!name.startsWith(prefix) || name.endsWith("_SLOTS") || NOT_SLOTS.has(name)) continue;
      assert.ok(Number.isInteger(slot) && slot >= 0, `${name} = ${slot}`);
      if (F64.has(name)) assert.equal(slot % 2, 0, `${name} is an f64 at odd slot ${slot}`);
      for (const s of F64.has(name) ? [slot, slot + 1] : [slot]) {
        assert.ok(s < slots, `${name} (slot ${s}) is outside its block of ${slots}`);
        assert.equal(used.get(s), undefined, `${name} and ${used.get(s)} share slot ${s}`);
        used.set(s, name);
      }
    }
    assert.ok(used.size > 0, prefix);
  }
  assert.equal(abi.GEMM_WORK_FLOATS, abi.GEMM_MC * abi.GEMM_KC + abi.GEMM_MR * abi.GEMM_NR);
});

test("ParamBlock writes the slots a kernel reads and refuses slots outside its block", () => {
  const memory = new WebAssembly.Memory({ initial: 1 });
  const p = new ParamBlock(memory, 64, 6).set(0, -7).setF32(1, 0.5).setF64(2, Math.PI).set(5, 42);
  const dv = new DataView(memory.buffer);
  assert.equal(dv.getInt32(64, true), -7);
  assert.equal(dv.getFloat32(68, true), 0.5);
  assert.equal(dv.getFloat64(72, true), Math.PI);
  assert.equal(p.get(5), 42);
  assert.throws(() => p.set(6, 1), /outside the block of 6 slots/);
  assert.throws(() => p.setF64(5, 1), /outside the block/);
  assert.throws(() => p.setF64(3, 1), /even slot/);
  assert.throws(() => new ParamBlock(memory, 4, 2), /8-byte aligned/);
});

const script = (body: string): string =>
  `const r = await import(${JSON.stringify(new URL("../../src/core/wasm/runtime.js", import.meta.url).href)});\n` +
  `const b = await import(${JSON.stringify(new URL("../../src/core/backend.js", import.meta.url).href)});\n` +
  `const g = await import(${JSON.stringify(new URL("../../src/core/gemm.js", import.meta.url).href)});\n` + body;
const node = (code: string, env: Record<string, string> = {}): string => {
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", code], { encoding: "utf8", env: { ...process.env, ...env } });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout;
};

test("why WebAssembly is not in use is kept: LATENTKIT_WASM=0, a failed load; and shown by `latentkit info`", () => {
  const report = "const m = await import(" + JSON.stringify(new URL("../../src/core/matrix.js", import.meta.url).href) + ");\n" +
    "let forced = ''; try { b.setRoute('wasm'); g.matmul(m.Matrix.zeros(2, 2, 'float32'), m.Matrix.zeros(2, 2, 'float32')); } " +
    "catch (e) { forced = e.message; } finally { b.setRoute('auto'); }\n" +
    "console.log(JSON.stringify({ info: r.kernelInfo(), error: r.wasmCoreError(), core: b.coreFor('gemm'), forced }));";
  const off = JSON.parse(node(script(report), { LATENTKIT_WASM: "0" }));
  assert.deepEqual(off.info, { variant: "none", threads: 1, helpers: 0, reason: "disabled by LATENTKIT_WASM=0" });
  assert.equal(off.error, "disabled by LATENTKIT_WASM=0");
  assert.equal(off.core, null);
  assert.match(off.forced, /gemm: the WebAssembly core is not available here \(disabled by LATENTKIT_WASM=0\)/);
  // an engine without shared WebAssembly memory: the load fails, the error is kept
  const broken = JSON.parse(node("WebAssembly.Memory = function () { throw new Error('no shared memory in this engine'); };\n" + script(report)));
  assert.equal(broken.info.variant, "none");
  assert.match(broken.error, /failed to load: no shared memory in this engine/);
  if (wasmCore()) {
    assert.equal(JSON.parse(node(script("console.log(JSON.stringify(r.wasmCoreError()))"))), null);
  }
  const digits = join(PROJECT_DATA, "digits.csv.gz");
  const cli = spawnSync(process.execPath, [fileURLToPath(new URL("../../src/cli/main.js", import.meta.url)), "info", digits, "--json"],
    { encoding: "utf8", env: { ...process.env, LATENTKIT_WASM: "0" } });
  assert.equal(cli.status, 0, cli.stderr);
  assert.deepEqual(JSON.parse(cli.stdout).computeCore, { variant: "none", threads: 1, helpers: 0, reason: "disabled by LATENTKIT_WASM=0" });
  const human = runCli("info", digits);
  assert.match(human.stdout, wasmCore() ? /compute core: WebAssembly simd/ : /compute core: TypeScript/);
});

test("setThreads refuses what is not a whole number of threads >= 1 (a NaN count once made parallel jobs run nothing)", async () => {
  const { LatentkitError } = await import("../../src/core/errors.js");
  const { setThreads } = await import("../../src/core/wasm/runtime.js");
  for (const bad of [NaN, 0, -1, 1.5, "2" as unknown as number, Infinity]) {
    assert.throws(() => setThreads(bad), (e: unknown) => e instanceof LatentkitError && /setThreads needs a whole number of threads >= 1, got/.test((e as Error).message), String(bad));
  }
  const core = wasmCore();
  if (core) {
    // a job asked for NaN parts runs on the main thread and does its work
    const n = 64;
    const a = core.alloc(4 * n);
    const out = core.alloc(4);
    new Float32Array(core.memory.buffer, a, n).fill(2);
    const p = core.callBlock().set(abi.ROWNORMS_A, a).set(abi.ROWNORMS_LD, n).set(abi.ROWNORMS_COLS, n).set(abi.ROWNORMS_ROWS, 1).set(abi.ROWNORMS_OUT, out);
    assert.equal(core.run("rowSqNormsPart", p.ptr, NaN), 1);
    assert.equal(new Float32Array(core.memory.buffer, out, 1)[0], 4 * n);
    core.free(a);
    core.free(out);
  }
});

test("t-SNE's compute-core objects free what they allocated when an allocation fails part-way (no arena left behind)", async () => {
  const core = wasmCore();
  if (!core) return;
  const { AttractiveForces, WasmBarnesHut } = await import("../../src/manifold/tsne-gradient.js");
  const { CsrMatrix } = await import("../../src/linalg/sparse.js");
  const P = CsrMatrix.fromTriplets(50, 50, Int32Array.from([0, 1, 2]), Int32Array.from([1, 2, 3]), Float64Array.from([0.2, 0.3, 0.5]));
  const realAlloc = core.alloc;
  const realFree = core.free;
  for (const make of [() => new AttractiveForces(P, 2), () => new WasmBarnesHut(core, 50, 2)]) {
    for (const failAt of [2, 4, 6]) {
      const live = new Set<number>();
      let calls = 0;
      core.alloc = (bytes: number): number => {
        if (++calls === failAt) throw new RangeError("WebAssembly.Memory.grow(): Maximum memory size exceeded");
        const p = realAlloc.call(core, bytes);
        live.add(p);
        return p;
      };
      core.free = (ptr: number): void => {
        live.delete(ptr);
        realFree.call(core, ptr);
      };
      try {
        assert.throws(make, /Maximum memory size exceeded/);
        assert.equal(live.size, 0, `allocation ${failAt} failed: ${live.size} blocks left allocated`);
      } finally {
        core.alloc = realAlloc;
        core.free = realFree;
      }
    }
  }
});
