// safetensors bytes (the format Hugging Face and PyTorch users share), parsed and encoded: an 8-byte little-endian
// header length N, N bytes of JSON {name: {dtype, shape, data_offsets: [begin, end]}, "__metadata__": {str: str}},
// then the tensors' raw little-endian data, offsets relative to the end of the header. Browser-safe (files: io/).
// Reads F32, F64, F16, BF16 and the integer types, converting to float32; writes F32.
import { excerpt, fail } from "../core/errors.js";

export interface SafeTensor {
  shape: number[];
  /** The values, converted to float32. */
  data: Float32Array;
  /** The dtype as stored. */
  dtype: string;
}

export interface SafetensorsFile {
  tensors: Map<string, SafeTensor>;
  /** The file's string-to-string metadata (`__metadata__`). */
  metadata: Record<string, string>;
}

const BYTES: Record<string, number> = { F64: 8, F32: 4, F16: 2, BF16: 2, I64: 8, I32: 4, I16: 2, I8: 1, U8: 1, BOOL: 1 };
/** Largest header accepted (the format's own readers use 100 MB). */
const MAX_HEADER = 100_000_000;

function f16(bits: number): number {
  const s = bits & 0x8000 ? -1 : 1;
  const e = (bits >> 10) & 0x1f;
  const m = bits & 0x3ff;
  if (e === 0) return s * m * 2 ** -24;
  if (e === 31) return m ? NaN : s * Infinity;
  return s * (1 + m / 1024) * 2 ** (e - 15);
}

/** Parses safetensors bytes; `source` names the file in messages. Every tensor's values must be finite. */
export function parseSafetensors(b: Uint8Array, source = "safetensors data"): SafetensorsFile {
  if (b.length < 8) fail(`${source}: not a safetensors file (${b.length} bytes; it must start with an 8-byte header length)`);
  const view = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const n = Number(view.getBigUint64(0, true));
  if (n < 2 || n > MAX_HEADER || 8 + n > b.length) {
    fail(`${source}: not a safetensors file: its header length ${n} ${8 + n > b.length ? `runs past the end of the file (${b.length} bytes)` : "is out of range"}`);
  }
  const text = new TextDecoder("utf-8", { fatal: false }).decode(b.subarray(8, 8 + n));
  let header: unknown;
  try {
    header = JSON.parse(text);
  } catch (e) {
    fail(`${source}: the safetensors header is not JSON (${(e as Error).message}): ${excerpt(text)}`);
  }
  if (typeof header !== "object" || header === null || Array.isArray(header)) fail(`${source}: the safetensors header must be a JSON object`);
  const dataStart = 8 + n;
  const dataLen = b.length - dataStart;
  const tensors = new Map<string, SafeTensor>();
  let metadata: Record<string, string> = {};
  const spans: [number, number, string][] = [];
  for (const [name, v] of Object.entries(header as Record<string, unknown>)) {
    if (name === "__metadata__") {
      if (typeof v !== "object" || v === null || Object.values(v).some((x) => typeof x !== "string")) {
        fail(`${source}: __metadata__ must map strings to strings`);
      }
      metadata = v as Record<string, string>;
      continue;
    }
    const t = v as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const where = `${source}: tensor "${name}"`;
    if (typeof t !== "object" || t === null) fail(`${where}: expected {dtype, shape, data_offsets}`);
    if (typeof t.dtype !== "string" || !(t.dtype in BYTES)) {
      fail(`${where}: dtype ${JSON.stringify(t.dtype)} is not supported (expected one of ${Object.keys(BYTES).join(", ")})`);
    }
    if (!Array.isArray(t.shape) || t.shape.some((d) => !Number.isInteger(d) || d < 0)) {
      fail(`${where}: shape must be a list of non-negative integers, got ${excerpt(JSON.stringify(t.shape))}`);
    }
    const offs = t.data_offsets;
    if (!Array.isArray(offs) || offs.length !== 2 || !offs.every((o) => Number.isInteger(o) && o >= 0) || offs[0] > offs[1]) {
      fail(`${where}: data_offsets must be [begin, end] with 0 <= begin <= end, got ${excerpt(JSON.stringify(offs))}`);
    }
    const [begin, end] = offs as [number, number];
    const shape = t.shape as number[];
    const count = shape.reduce((a, d) => a * d, 1);
    const width = BYTES[t.dtype]!;
    if (end - begin !== count * width) {
      fail(`${where}: shape [${shape.join(", ")}] of ${t.dtype} needs ${count * width} bytes, its offsets span ${end - begin}`);
    }
    if (end > dataLen) fail(`${where}: its data (bytes ${begin}–${end}) runs past the end of the file (${dataLen} data bytes): truncated?`);
    spans.push([begin, end, name]);
    const data = new Float32Array(count);
    const o = dataStart + begin;
    for (let i = 0; i < count; i++) {
      const p = o + i * width;
      switch (t.dtype) {
        case "F32": data[i] = view.getFloat32(p, true); break;
        case "F64": data[i] = view.getFloat64(p, true); break;
        case "F16": data[i] = f16(view.getUint16(p, true)); break;
        case "BF16": data[i] = new Float32Array(new Uint32Array([view.getUint16(p, true) << 16]).buffer)[0]!; break;
        case "I64": data[i] = Number(view.getBigInt64(p, true)); break;
        case "I32": data[i] = view.getInt32(p, true); break;
        case "I16": data[i] = view.getInt16(p, true); break;
        case "I8": data[i] = view.getInt8(p); break;
        default: data[i] = view.getUint8(p); break;
      }
      if (!Number.isFinite(data[i]!)) fail(`${where}: element ${i} is ${data[i]} (expected finite values)`);
    }
    tensors.set(name, { shape: shape.slice(), data, dtype: t.dtype });
  }
  spans.sort((x, y) => x[0] - y[0]);
  for (let i = 1; i < spans.length; i++) {
    if (spans[i]![0] < spans[i - 1]![1]) fail(`${source}: tensors "${spans[i - 1]![2]}" and "${spans[i]![2]}" overlap in the data`);
  }
  return { tensors, metadata };
}

/** Encodes float32 tensors (in the given order) and string metadata as safetensors bytes. */
export function serializeSafetensors(tensors: Iterable<[string, { shape: readonly number[]; data: ArrayLike<number> }]>,
  metadata: Record<string, string> = {}): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length) header.__metadata__ = metadata;
  const list: { data: ArrayLike<number>; begin: number }[] = [];
  let offset = 0;
  for (const [name, t] of tensors) {
    if (name === "__metadata__" || name in header) fail(`safetensors: tensor name ${JSON.stringify(name)} is reserved or repeated`);
    const count = t.shape.reduce((a, d) => a * d, 1);
    if (count !== t.data.length) fail(`safetensors: tensor "${name}" has ${t.data.length} values for shape [${t.shape.join(", ")}]`);
    header[name] = { dtype: "F32", shape: [...t.shape], data_offsets: [offset, offset + count * 4] };
    list.push({ data: t.data, begin: offset });
    offset += count * 4;
  }
  let json = JSON.stringify(header);
  // pad the header with spaces so the data starts 8-byte aligned (as the reference writer does)
  const enc = new TextEncoder();
  let hb = enc.encode(json);
  const pad = (8 - ((8 + hb.length) % 8)) % 8;
  if (pad) {
    json += " ".repeat(pad);
    hb = enc.encode(json);
  }
  const out = new Uint8Array(8 + hb.length + offset);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(hb.length), true);
  out.set(hb, 8);
  const base = 8 + hb.length;
  for (const { data, begin } of list) {
    if (data instanceof Float32Array) out.set(new Uint8Array(data.buffer, data.byteOffset, data.byteLength), base + begin);
    else for (let i = 0; i < data.length; i++) view.setFloat32(base + begin + i * 4, data[i]!, true);
  }
  return out;
}
