// NumPy .npy bytes (format versions 1–3), parsed and encoded, for float32/float64 matrices (files: io/npy.ts).
import { excerpt, fail } from "../core/errors.js";
import { float32Issue, Matrix } from "../core/matrix.js";

const MAGIC = "\x93NUMPY";

function latin1(bytes: Uint8Array): string {
  let s = "";
  for (let i = 0; i < bytes.length; i++) s += String.fromCharCode(bytes[i]!);
  return s;
}

const READERS = new Set(["f4", "f8", "i1", "u1", "i2", "u2", "i4", "u4", "i8", "u8"]);

/** Parses .npy bytes into a matrix (1-D arrays become a column). Integer types are converted to float32. */
export function parseNpy(b: Uint8Array, source = "npy data"): Matrix {
  if (b.length < 10 || latin1(b.subarray(0, 6)) !== MAGIC) fail(`${source}: not an .npy file (bad magic string)`);
  const head = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const major = b[6]!;
  const headerLen = major === 1 ? head.getUint16(8, true) : head.getUint32(8, true);
  const start = (major === 1 ? 10 : 12) + headerLen;
  const headerBytes = b.subarray(major === 1 ? 10 : 12, start);
  const header = major === 3 ? new TextDecoder().decode(headerBytes) : latin1(headerBytes);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeStr = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (start > b.length) fail(`${source}: truncated .npy header: it claims ${headerLen} bytes, the file has ${b.length - (major === 1 ? 10 : 12)} after the preamble`);
  if (!descr || shapeStr === undefined) {
    fail(`${source}: malformed .npy header (expected a dict with 'descr' and 'shape'): ${excerpt(header)}`);
  }
  const dims = shapeStr.split(",").map((s) => s.trim()).filter((s) => s !== "");
  if (!dims.every((s) => /^\d+L?$/.test(s))) {
    fail(`${source}: malformed .npy header: shape (${excerpt(shapeStr, 40, "")}) must list non-negative integers`);
  }
  const shape = dims.map((s) => Number(s.replace(/L$/, "")));
  if (shape.length > 2) fail(`${source}: ${shape.length}-D arrays are not supported (shape ${shape.join("x")}); expected 1-D or 2-D`);
  const rows = shape.length === 0 ? 1 : shape[0]!;
  const cols = shape.length === 2 ? shape[1]! : 1;
  const n = rows * cols;
  const little = descr[0] !== ">";
  const kind = descr.slice(1);
  const size = Number(kind.slice(1));
  if (!READERS.has(kind) || !"<>|=".includes(descr[0]!)) {
    fail(`${source}: unsupported dtype ${excerpt(descr, 40)}; expected float32/float64 or an integer type`);
  }
  if (b.length < start + n * size) fail(`${source}: truncated: expected ${n * size} data bytes after the header, found ${b.length - start}`);
  const dv = new DataView(b.buffer, b.byteOffset + start, n * size);
  const out = kind === "f8" ? new Float64Array(n) : new Float32Array(n);
  const read: Record<string, (o: number) => number> = {
    f4: (o) => dv.getFloat32(o, little), f8: (o) => dv.getFloat64(o, little),
    i1: (o) => dv.getInt8(o), u1: (o) => dv.getUint8(o), i2: (o) => dv.getInt16(o, little), u2: (o) => dv.getUint16(o, little),
    i4: (o) => dv.getInt32(o, little), u4: (o) => dv.getUint32(o, little),
    i8: (o) => Number(dv.getBigInt64(o, little)), u8: (o) => Number(dv.getBigUint64(o, little)),
  };
  const r = read[kind];
  if (!r) fail(`${source}: unsupported dtype ${JSON.stringify(descr)}; expected float32/float64 or an integer type`);
  for (let i = 0; i < n; i++) out[i] = r(i * size);
  if (kind === "f8") {
    // stored as float64, used as float32 by the estimators: a value float32 cannot hold is named here, with the file
    for (let i = 0; i < n; i++) {
      const v = out[i]!;
      const issue = Number.isFinite(v) ? float32Issue(v) : undefined;
      if (issue) {
        const [row, col] = fortran ? [i % rows, Math.floor(i / rows)] : [Math.floor(i / cols), i % cols];
        fail(`${source}: value at row ${row}, column ${col} is ${v}: ${issue}`);
      }
    }
  }
  const m = new Matrix(fortran ? cols : rows, fortran ? rows : cols, out);
  return fortran ? m.transpose() : m;
}

/** Encodes a matrix as .npy (version 1.0, little-endian, C order). */
export function encodeNpy(m: Matrix): Uint8Array {
  const descr = m.dtype === "float64" ? "<f8" : "<f4";
  let header = `{'descr': '${descr}', 'fortran_order': False, 'shape': (${m.rows}, ${m.cols}), }`;
  const total = 10 + header.length + 1;
  header += " ".repeat((64 - (total % 64)) % 64) + "\n";
  const out = new Uint8Array(10 + header.length + m.data.byteLength);
  for (let i = 0; i < MAGIC.length; i++) out[i] = MAGIC.charCodeAt(i);
  out[6] = 1;
  out[7] = 0;
  new DataView(out.buffer).setUint16(8, header.length, true);
  for (let i = 0; i < header.length; i++) out[10 + i] = header.charCodeAt(i);
  // typed arrays hold the platform's byte order; every engine latentkit runs on is little-endian
  out.set(new Uint8Array(m.data.buffer, m.data.byteOffset, m.data.byteLength), 10 + header.length);
  return out;
}
