// Line charts and labelled image rows: markers where the data put them (linear and log axes), in each series'
// colour, legends and row labels in the SVG, pixels of the images at their cells, and the errors.
import { test } from "node:test";
import assert from "node:assert/strict";
import { Matrix } from "../../src/core/matrix.js";
import { imageRowsFigure, lineChartFigure, rasterize, render } from "../../src/plot/charts.js";
import { CATEGORICAL, hex } from "../../src/plot/colors.js";

/** Circles of one fill colour in an SVG, as [cx, cy, r]. */
function circles(svg: string, color: string): number[][] {
  return [...svg.matchAll(/<circle cx="([\d.-]+)" cy="([\d.-]+)" r="([\d.]+)" fill="(#[0-9a-f]{6})"/g)]
    .filter((m) => m[4] === color).map((m) => [Number(m[1]), Number(m[2]), Number(m[3])]);
}

test("line chart: one marker per point at its value, lines in the series colours, a legend", () => {
  const series = [
    { name: "PCA", x: [8, 16, 32, 64], y: [0.04, 0.03, 0.02, 0.012] },
    { name: "dense AE", x: [8, 16, 32, 64], y: [0.03, 0.018, 0.011, 0.008] },
  ];
  const fig = lineChartFigure(series, { title: "error against code size", xLabel: "code size", yLabel: "MSE", logX: true });
  const svg = render(fig, "svg");
  assert.match(svg, />PCA<\/text>/);
  assert.match(svg, />dense AE<\/text>/);
  assert.match(svg, />error against code size<\/text>/);
  for (const [k, sr] of series.entries()) {
    const pts = circles(svg, hex(CATEGORICAL[k]!));
    assert.equal(pts.length, sr.x.length + 1, "a marker per point and one in the legend");
    const plotted = pts.slice(0, sr.x.length);
    // log x: 8, 16, 32, 64 are equally spaced; y: linear, so pixel gaps follow the value gaps
    const dx = plotted.slice(1).map((p, i) => p[0]! - plotted[i]![0]!);
    for (const v of dx) assert.ok(Math.abs(v - dx[0]!) < 0.02 && v > 0, `x gaps ${dx}`);
    const py = (i: number): number => plotted[i]![1]!;
    const ratio = (py(1) - py(0)) / (py(3) - py(2));
    assert.ok(Math.abs(ratio - (sr.y[1]! - sr.y[0]!) / (sr.y[3]! - sr.y[2]!)) < 0.01, `y pixel gaps ${ratio}`);
    assert.ok(py(0) < py(3), "a larger value is drawn higher");
  }
  // the raster has each series' colour at its markers' centres
  const s = rasterize(fig);
  for (const k of [0, 1]) {
    for (const [cx, cy] of circles(svg, hex(CATEGORICAL[k]!))) {
      const o = (Math.floor(cy!) * fig.width + Math.floor(cx!)) * 4;
      assert.deepEqual([...s.pixels.subarray(o, o + 3)], [...CATEGORICAL[k]!], `series ${k} at (${cx}, ${cy})`);
    }
  }
  // lines join the markers: the midpoint between two markers of a series has its colour
  const [a, b] = circles(svg, hex(CATEGORICAL[0]!));
  const o = (Math.round((a![1]! + b![1]!) / 2 - 0.5) * fig.width + Math.round((a![0]! + b![0]!) / 2 - 0.5)) * 4;
  const px = [...s.pixels.subarray(o, o + 3)];
  assert.ok(px.every((v, i) => Math.abs(v - CATEGORICAL[0]![i]!) < 60), `line pixel ${px}`);
});

test("line chart: log y puts decades at equal steps, with power-of-ten ticks; errors name the series", () => {
  const fig = lineChartFigure([{ name: "loss", x: [1, 2, 3, 4], y: [1000, 100, 10, 1] }], { logY: true, markerSize: 3 });
  const svg = render(fig, "svg");
  const pts = circles(svg, hex(CATEGORICAL[0]!)).slice(0, 4);
  const dy = pts.slice(1).map((p, i) => p[1]! - pts[i]![1]!);
  for (const v of dy) assert.ok(Math.abs(v - dy[0]!) < 0.02 && v > 0, `y gaps ${dy}`);
  for (const t of ["1", "10", "100", "1000"]) assert.match(svg, new RegExp(`text-anchor="end" dominant-baseline="central">${t}</text>`));
  assert.throws(() => lineChartFigure([{ name: "a", x: [1, 2], y: [1, 0] }], { logY: true }), /series "a" has y = 0 at point 1: a log y axis needs y > 0/);
  assert.throws(() => lineChartFigure([{ name: "a", x: [1, 2], y: [1] }]), /series "a" has 2 x values but 1 y values/);
  assert.throws(() => lineChartFigure([{ name: "a", x: [1, NaN], y: [1, 2] }]), /point 1 is \(NaN, 2\): expected finite numbers/);
  assert.throws(() => lineChartFigure([]), /at least one series/);
  // one point renders (a flat range is padded)
  assert.equal(circles(render(lineChartFigure([{ name: "p", x: [3], y: [5] }]), "svg"), hex(CATEGORICAL[0]!)).length, 2);
});

test("image rows: a label left of each row, every image in its cell on one grey scale (rows may differ in length)", () => {
  const white = new Matrix(3, 4, Float32Array.from({ length: 12 }, () => 1));
  const black = new Matrix(2, 4, new Float32Array(8));
  const mixed = Matrix.fromArray([[0, 1, 1, 0], [0.5, 0.5, 0.5, 0.5], [1, 0, 0, 1]]);
  const labels = ["clean", "noisy", "denoised"];
  const fig = imageRowsFigure([white, black, mixed], labels, [2, 2], { title: "t", columnLabels: ["a", "b", "c"] });
  const svg = render(fig, "svg");
  const images = [...svg.matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)].map((m) => m.slice(1).map(Number));
  assert.equal(images.length, 3 + 2 + 3);
  const texts = [...svg.matchAll(/<text x="([\d.]+)" y="([\d.]+)"[^>]*>([^<]*)<\/text>/g)];
  const firstOfRow = [images[0]!, images[3]!, images[5]!];
  labels.forEach((l, r) => {
    const t = texts.find((m) => m[3] === l);
    assert.ok(t, `label ${l}`);
    const [x, y, , h] = firstOfRow[r]!;
    assert.ok(Number(t![1]) < x!, `${l} is left of its row`);
    assert.ok(Number(t![2]) > y! && Number(t![2]) < y! + h!, `${l} is level with its row`);
  });
  for (const c of ["a", "b", "c"]) assert.ok(texts.some((m) => m[3] === c));
  const s = rasterize(fig);
  const at = (x: number, y: number): number[] => [...s.pixels.subarray((Math.round(y) * fig.width + Math.round(x)) * 4, (Math.round(y) * fig.width + Math.round(x)) * 4 + 3)];
  const centre = (im: number[]): number[] => at(im[0]! + im[2]! / 2, im[1]! + im[3]! / 2);
  assert.deepEqual(centre(images[0]!), [255, 255, 255]);
  assert.deepEqual(centre(images[3]!), [0, 0, 0]);
  assert.deepEqual(centre(images[6]!), [128, 128, 128]); // 0.5 on the shared [0, 1] scale
  const [x0, y0, w0, h0] = images[5]!; // [[0, 1], [1, 0]]: black top-left, white top-right
  assert.deepEqual(at(x0! + w0! / 4, y0! + h0! / 4), [0, 0, 0]);
  assert.deepEqual(at(x0! + (3 * w0!) / 4, y0! + h0! / 4), [255, 255, 255]);
  // inverted: dark ink on white
  const inv = rasterize(imageRowsFigure([white], ["x"], [2, 2], { invert: true, range: [0, 1] }));
  const im = [...render(imageRowsFigure([white], ["x"], [2, 2], { invert: true, range: [0, 1] }), "svg")
    .matchAll(/<image x="([\d.]+)" y="([\d.]+)" width="([\d.]+)" height="([\d.]+)"/g)][0]!.slice(1).map(Number);
  const o = (Math.round(im[1]! + im[3]! / 2) * inv.width + Math.round(im[0]! + im[2]! / 2)) * 4;
  assert.deepEqual([...inv.pixels.subarray(o, o + 3)], [0, 0, 0]);
  assert.throws(() => imageRowsFigure([white], ["a", "b"], [2, 2]), /2 row labels for 1 rows of images/);
  assert.throws(() => imageRowsFigure([white, mixed], ["a", "b"], [3, 3]), /image shape 3x3 has 9 pixels, but row 0 \("a"\) has images of 4 values/);
  assert.throws(() => imageRowsFigure([], [], [2, 2]), /at least one row/);
});
