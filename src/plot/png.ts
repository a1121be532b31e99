// A minimal PNG encoder (8-bit RGBA, no interlace). The deflate step comes from the caller, so the encoder runs
// anywhere: zlib's deflateSync in Node (io/figures.ts passes it), deflateWithCompressionStream in a browser
// (asynchronous: the PNG then comes as a promise), or storedDeflate (synchronous, anywhere, no compression).
import { concatBytes } from "../core/bytes.js";
import { fail } from "../core/errors.js";

/** zlib-format (RFC 1950) compression, synchronous: e.g. `(b) => zlib.deflateSync(b)` in Node. */
export type Deflate = (data: Uint8Array) => Uint8Array;
/** zlib-format compression that finishes later, such as CompressionStream("deflate") in a browser. */
export type AsyncDeflate = (data: Uint8Array) => Promise<Uint8Array>;

const CRC_TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

function crc32(buf: Uint8Array): number {
  let c = 0xffffffff;
  for (let i = 0; i < buf.length; i++) c = CRC_TABLE[(c ^ buf[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}

function assemble(width: number, height: number, idat: Uint8Array): Uint8Array {
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  return concatBytes([
    Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a),
    chunk("IHDR", ihdr),
    chunk("IDAT", idat),
    chunk("IEND", new Uint8Array(0)),
  ]);
}

/**
 * Encodes width x height RGBA pixels (row-major, 4 bytes each) as a PNG file, compressed by `deflate`: the bytes
 * when it is synchronous, a promise of them when it returns one.
 */
export function encodePNG(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray, deflate: Deflate): Uint8Array;
export function encodePNG(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray, deflate: AsyncDeflate): Promise<Uint8Array>;
export function encodePNG(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray,
  deflate: Deflate | AsyncDeflate): Uint8Array | Promise<Uint8Array>;
export function encodePNG(width: number, height: number, rgba: Uint8Array | Uint8ClampedArray,
  deflate: Deflate | AsyncDeflate): Uint8Array | Promise<Uint8Array> {
  if (typeof deflate !== "function") {
    fail("PNG encoding needs a deflate function: zlib's deflateSync in Node (render and saveFigure from latentkit/node " +
      "pass it), deflateWithCompressionStream in a browser, or storedDeflate for uncompressed output");
  }
  if (rgba.length !== width * height * 4) fail(`${width}x${height} RGBA pixels need ${width * height * 4} bytes, got ${rgba.length}`);
  const raw = new Uint8Array((width * 4 + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (width * 4 + 1)] = 0; // filter: none
    raw.set(rgba.subarray(y * width * 4, (y + 1) * width * 4), y * (width * 4 + 1) + 1);
  }
  const idat = deflate(raw);
  return idat instanceof Promise ? idat.then((d) => assemble(width, height, d)) : assemble(width, height, idat);
}

/** zlib-format "compression" with stored (uncompressed) blocks: synchronous and available everywhere. */
export const storedDeflate: Deflate = (data) => {
  const blocks = Math.max(1, Math.ceil(data.length / 65535));
  const out = new Uint8Array(2 + 5 * blocks + data.length + 4);
  out[0] = 0x78; // deflate, 32 KiB window
  out[1] = 0x01; // no preset dictionary, fastest; (0x78 << 8 | 0x01) % 31 === 0
  let o = 2;
  for (let b = 0; b < blocks; b++) {
    const part = data.subarray(b * 65535, Math.min(data.length, (b + 1) * 65535));
    out[o] = b === blocks - 1 ? 1 : 0;
    out[o + 1] = part.length & 0xff;
    out[o + 2] = part.length >>> 8;
    out[o + 3] = ~part.length & 0xff;
    out[o + 4] = (~part.length >>> 8) & 0xff;
    out.set(part, o + 5);
    o += 5 + part.length;
  }
  let a = 1, s = 0;
  for (let i = 0; i < data.length; i++) {
    a = (a + data[i]!) % 65521;
    s = (s + a) % 65521;
  }
  new DataView(out.buffer).setUint32(o, ((s << 16) | a) >>> 0);
  return out;
};

/** zlib-format compression by CompressionStream("deflate"): browsers, Deno, and Node >= 18. */
export const deflateWithCompressionStream: AsyncDeflate = async (data) => {
  const stream = new Blob([data as Uint8Array<ArrayBuffer>]).stream().pipeThrough(new CompressionStream("deflate"));
  return new Uint8Array(await new Response(stream).arrayBuffer());
};
