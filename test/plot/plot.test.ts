import { test } from "node:test";
import assert from "node:assert/strict";
import { deflateSync, inflateSync } from "node:zlib";
import { Matrix } from "../../src/core/matrix.js";
import { render } from "../../src/io/figures.js";
import { imageGridFigure, niceTicks, render as renderWith, scatterFigure, spectrumFigure } from "../../src/plot/charts.js";
import { deflateWithCompressionStream, encodePNG, storedDeflate } from "../../src/plot/png.js";
import { RasterSurface } from "../../src/plot/surface.js";

/** Decodes our own PNGs (8-bit RGBA, filter 0) back to pixels. */
function decodePNG(bytes: Uint8Array): { width: number; height: number; rgba: Uint8Array } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  assert.deepEqual([...buf.subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  const width = buf.readUInt32BE(16);
  const height = buf.readUInt32BE(20);
  const idat: Buffer[] = [];
  for (let o = 8; o < buf.length;) {
    const len = buf.readUInt32BE(o);
    const type = buf.toString("latin1", o + 4, o + 8);
    if (type === "IDAT") idat.push(buf.subarray(o + 8, o + 8 + len));
    o += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const rgba = new Uint8Array(width * height * 4);
  for (let y = 0; y < height; y++) rgba.set(raw.subarray(y * (width * 4 + 1) + 1, (y + 1) * (width * 4 + 1)), y * width * 4);
  return { width, height, rgba };
}

test("PNG encoder round-trips pixels with zlib, stored and CompressionStream deflate", async () => {
  const rgba = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
  for (const png of [encodePNG(3, 2, rgba, (b) => deflateSync(b)), encodePNG(3, 2, rgba, storedDeflate), await encodePNG(3, 2, rgba, deflateWithCompressionStream)]) {
    const back = decodePNG(png);
    assert.equal(back.width, 3);
    assert.deepEqual([...back.rgba], [...rgba]);
  }
  // stored blocks hold at most 65535 bytes: a larger image spans several
  const big = new Uint8Array(200 * 100 * 4).map((_, i) => (i * 7919) % 251);
  assert.deepEqual([...decodePNG(encodePNG(200, 100, big, storedDeflate)).rgba], [...big]);
  assert.throws(() => encodePNG(3, 2, rgba, undefined as never), /needs a deflate function/);
});

test("main-entry render: PNG with the caller's deflate (sync or async), SVG identical to the Node render", async () => {
  const fig = imageGridFigure(Matrix.fromArray([[0, 1, 1, 0], [1, 0, 0, 1]]), [2, 2]);
  const sync = renderWith(fig, "png", (b) => deflateSync(b));
  const later = renderWith(fig, "png", deflateWithCompressionStream);
  assert.ok(later instanceof Promise);
  assert.deepEqual([...decodePNG(await later).rgba], [...decodePNG(sync).rgba]);
  assert.deepEqual([...decodePNG(render(fig, "png")).rgba], [...decodePNG(sync).rgba]);
  assert.throws(() => renderWith(fig, "png" as "svg"), /needs a deflate function/);
  assert.equal(renderWith(fig, "svg", (b) => deflateSync(b, { level: 6 })), render(fig, "svg"));
  // without a deflate, embedded images are stored (uncompressed): the same pixels
  const urls = (svg: string): Uint8Array[] => [...svg.matchAll(/base64,([^"]+)/g)].map((m) => decodePNG(Buffer.from(m[1]!, "base64")).rgba);
  assert.deepEqual(urls(renderWith(fig, "svg")), urls(render(fig, "svg")));
});

test("raster circles land where asked, in the asked colour", () => {
  const s = new RasterSurface(40, 30);
  s.circle(10, 12, 4, [200, 10, 10]);
  const at = (x: number, y: number): number[] => [...s.pixels.subarray((y * 40 + x) * 4, (y * 40 + x) * 4 + 3)];
  assert.deepEqual(at(10, 12), [200, 10, 10]);
  assert.deepEqual(at(30, 25), [255, 255, 255]);
});

test("scatter plot: one colour per class, legend, PNG and SVG", () => {
  const Z = Matrix.fromArray([[0, 0], [1, 1], [2, 0.5], [3, 2]]);
  const fig = scatterFigure(Z, { labels: ["a", "b", "a", "c"], title: "t" });
  const svg = render(fig, "svg") as string;
  assert.equal((svg.match(/<circle /g) ?? []).length, 4 + 3); // points + legend markers
  assert.match(svg, />a<\/text>/);
  assert.match(svg, />c<\/text>/);
  const png = decodePNG(render(fig, "png"));
  assert.equal(png.width, fig.width);
  // the first class colour (tableau blue) appears somewhere in the raster
  let found = false;
  for (let i = 0; i < png.rgba.length; i += 4) if (png.rgba[i] === 31 && png.rgba[i + 1] === 119 && png.rgba[i + 2] === 180) found = true;
  assert.ok(found);
  assert.throws(() => scatterFigure(Matrix.zeros(3, 1)), /needs 2 columns/);
  assert.throws(() => scatterFigure(Z, { labels: ["a"] }), /1 labels for 4 points/);
});

test("image grid checks the image shape and draws each image", () => {
  const X = Matrix.fromArray([[0, 1, 1, 0], [1, 0, 0, 1]]);
  const svg = render(imageGridFigure(X, [2, 2], { captions: ["x", "y"] }), "svg") as string;
  assert.equal((svg.match(/<image /g) ?? []).length, 2);
  assert.throws(() => imageGridFigure(X, [3, 3]), /3x3 has 9 pixels, but rows have 4 values/);
  const spec = render(spectrumFigure([3, 2, 1], [0.5, 0.3, 0.1]), "svg") as string;
  assert.match(spec, /90\.0% with 3/);
});

test("nice ticks are round and cover the range", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-23, 31), [-20, -10, 0, 10, 20, 30]);
});
