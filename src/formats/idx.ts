// IDX bytes (the MNIST / Fashion-MNIST format), parsed; reading files (plain or gzipped) is io/idx.ts.
import { fail } from "../core/errors.js";
import { Matrix } from "../core/matrix.js";

export interface IdxArray {
  shape: number[];
  data: Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;
}

const TYPES: Record<number, { size: number; name: string }> = {
  0x08: { size: 1, name: "ubyte" }, 0x09: { size: 1, name: "byte" }, 0x0b: { size: 2, name: "short" },
  0x0c: { size: 4, name: "int" }, 0x0d: { size: 4, name: "float" }, 0x0e: { size: 8, name: "double" },
};

export function parseIdx(buf: Uint8Array, source = "IDX data"): IdxArray {
  if (buf.length < 4) fail(`${source}: too short for an IDX file (${buf.length} bytes)`);
  const magic = ((buf[0]! << 24) | (buf[1]! << 16) | (buf[2]! << 8) | buf[3]!) >>> 0;
  const type = TYPES[buf[2]!];
  const dims = buf[3]!;
  if (buf[0] !== 0 || buf[1] !== 0 || !type || dims === 0) {
    fail(`${source}: wrong IDX magic number 0x${magic.toString(16).padStart(8, "0")}: expected 0x0000TTDD with type TT in ` +
      `08/09/0b/0c/0d/0e and DD >= 1 dimensions (e.g. 0x00000803 for images, 0x00000801 for labels)`);
  }
  const dv = new DataView(buf.buffer, buf.byteOffset, buf.byteLength);
  if (buf.length < 4 + 4 * dims) fail(`${source}: truncated IDX header`);
  const shape: number[] = [];
  for (let d = 0; d < dims; d++) shape.push(dv.getUint32(4 + 4 * d, false));
  const n = shape.reduce((a, b) => a * b, 1);
  const off = 4 + 4 * dims;
  if (buf.length < off + n * type.size) {
    fail(`${source}: truncated: shape ${shape.join("x")} of ${type.name} needs ${n * type.size} data bytes, found ${buf.length - off}`);
  }
  let data: IdxArray["data"];
  switch (buf[2]) {
    case 0x08: data = new Uint8Array(buf.buffer, buf.byteOffset + off, n).slice(); break;
    case 0x09: data = new Int8Array(buf.buffer, buf.byteOffset + off, n).slice(); break;
    case 0x0b: data = Int16Array.from({ length: n }, (_, i) => dv.getInt16(off + 2 * i, false)); break;
    case 0x0c: data = Int32Array.from({ length: n }, (_, i) => dv.getInt32(off + 4 * i, false)); break;
    case 0x0d: data = Float32Array.from({ length: n }, (_, i) => dv.getFloat32(off + 4 * i, false)); break;
    default: data = Float64Array.from({ length: n }, (_, i) => dv.getFloat64(off + 8 * i, false));
  }
  return { shape, data };
}

export interface IdxImages {
  /** One flattened image per row (float32, raw pixel values). */
  X: Matrix;
  /** [height, width]. */
  imageShape: [number, number];
  /** The file holds integers (every IDX type but float and double): every value is finite and within float32's range. */
  integer: boolean;
}

/** Images (n x h x w, or n x d) as an n x (h·w) matrix; `limit` keeps the first rows only. */
export function idxImages({ shape, data }: IdxArray, limit?: number, source = "IDX data"): IdxImages {
  if (shape.length < 2) fail(`${source}: expected an image file (3 dimensions), found shape ${shape.join("x")}; is it a label file?`);
  const n = Math.min(shape[0]!, limit ?? Infinity);
  const d = shape.slice(1).reduce((a, b) => a * b, 1);
  const X = new Matrix(n, d, Float32Array.from(data.subarray(0, n * d)));
  const imageShape: [number, number] = shape.length === 3 ? [shape[1]!, shape[2]!] : [1, d];
  const integer = !(data instanceof Float32Array || data instanceof Float64Array);
  return { X, imageShape, integer };
}

/** Labels (one dimension) as integers; `limit` keeps the first ones only. */
export function idxLabels({ shape, data }: IdxArray, limit?: number, source = "IDX data"): Int32Array {
  if (shape.length !== 1) fail(`${source}: expected a label file (1 dimension), found shape ${shape.join("x")}`);
  return Int32Array.from(data.subarray(0, Math.min(shape[0]!, limit ?? Infinity)));
}
