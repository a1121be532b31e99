import { test } from "node:test";
import assert from "node:assert/strict";
import { inflateSync } from "node:zlib";
import { Matrix } from "../../src/core/matrix.js";
import { imageGridFigure, niceTicks, render, scatterFigure, spectrumFigure } from "../../src/plot/charts.js";
import { encodePNG } from "../../src/plot/png.js";
import { RasterSurface } from "../../src/plot/surface.js";

/** Decodes our own PNGs (8-bit RGBA, filter 0) back to pixels. */
function decodePNG(buf: Buffer): { width: number; height: number; rgba: Uint8Array } {
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

test("PNG encoder round-trips pixels", () => {
  const rgba = new Uint8Array(3 * 2 * 4).map((_, i) => (i * 37) % 256);
  const back = decodePNG(encodePNG(3, 2, rgba));
  assert.equal(back.width, 3);
  assert.deepEqual([...back.rgba], [...rgba]);
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
  const png = decodePNG(render(fig, "png") as Buffer);
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
