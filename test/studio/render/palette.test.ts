// The studio's palettes in Node: categorical colours stay distinct for any number of categories, the numeric scale
// is monotone in lightness, and each gives one RGBA per point with a legend that agrees with it.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LatentkitError } from "../../../src/core/errors.js";
import type { Column } from "../../../src/studio/types.js";
import {
  BASE, NAN_GREY, categoricalColors, colorBy, colorByCategory, colorByNumber, colorDistance, niceTicks, oklab, viridis,
} from "../../../src/studio/render/palette.js";

function minPairwise(colors: number[][]): number {
  let min = Infinity;
  for (let i = 0; i < colors.length; i++) for (let j = 0; j < i; j++) min = Math.min(min, colorDistance(colors[i]!, colors[j]!));
  return min;
}

test("categorical colours stay distinct: min pairwise OKLab distance for 10, 30, 100 and 1000 categories", () => {
  // a just-noticeable difference is about 0.02 in OKLab; Tableau's light companions are 0.054 apart at the closest
  const floors: [number, number][] = [[10, 0.12], [30, 0.05], [100, 0.05], [1000, 0.022]];
  for (const [k, floor] of floors) {
    const c = categoricalColors(k);
    assert.equal(c.length, k);
    const d = minPairwise(c);
    assert.ok(d >= floor, `${k} categories: min distance ${d.toFixed(4)} < ${floor}`);
    // none is the missing-value grey or the white background
    for (const x of c) {
      assert.ok(colorDistance(x, NAN_GREY) >= 0.05, `${k}: ${x} is too close to the missing-value grey`);
      assert.ok(colorDistance(x, [255, 255, 255]) >= 0.1, `${k}: ${x} is too close to white`);
      assert.ok(x.every((v) => Number.isInteger(v) && v >= 0 && v <= 255) && x[3] === 255);
    }
  }
  // the palette is a prefix family: the first colours do not change as k grows, and start with Tableau's
  assert.deepEqual(categoricalColors(100).slice(0, 30), categoricalColors(30));
  assert.deepEqual(categoricalColors(5), BASE.slice(0, 5));
  assert.deepEqual(categoricalColors(0), []);
  assert.throws(() => categoricalColors(-1), LatentkitError);
  assert.throws(() => categoricalColors(2.5), /non-negative integer/);
});

test("the numeric scale is monotone in lightness, dark to light, and clamps outside [0, 1]", () => {
  const L = Array.from({ length: 256 }, (_, j) => {
    const c = viridis(j / 255);
    return oklab(c[0], c[1], c[2])[0];
  });
  // strictly increasing over 32 steps, and never darker by more than 8-bit rounding between neighbours
  for (let j = 8; j < 256; j += 8) assert.ok(L[j]! > L[j - 8]!, `lightness at ${j}: ${L[j]} <= ${L[j - 8]}`);
  for (let j = 1; j < 256; j++) assert.ok(L[j]! >= L[j - 1]! - 1e-3, `lightness at ${j}`);
  assert.ok(L[255]! - L[0]! > 0.5, "the scale spans a wide range of lightness");
  assert.deepEqual(viridis(-3), viridis(0));
  assert.deepEqual(viridis(7), viridis(1));
  assert.deepEqual(viridis(0), [0x44, 0x01, 0x54, 255]);
  assert.deepEqual(viridis(1), [0xfd, 0xe7, 0x25, 255]);
});

const cat = (values: string[]): Column => ({ name: "label", kind: "categorical", values });

test("colorByCategory: one colour per category, natural order, counts in the legend", () => {
  const values = ["b", "10", "9", "b", "a", "10", "10"];
  const { rgba, legend } = colorByCategory(cat(values));
  assert.equal(rgba.length, values.length * 4);
  assert.equal(legend.kind, "categorical");
  // numbers numerically, then text
  assert.deepEqual(legend.entries.map((e) => e.label), ["9", "10", "a", "b"]);
  assert.deepEqual(legend.entries.map((e) => e.count), [1, 3, 1, 2]);
  const pal = categoricalColors(4);
  legend.entries.forEach((e, k) => {
    assert.deepEqual(e.color, pal[k]);
    assert.match(e.css, /^#[0-9a-f]{6}$/);
  });
  // every point has its category's colour
  const byLabel = new Map(legend.entries.map((e) => [e.label, e.color]));
  values.forEach((v, i) => assert.deepEqual([...rgba.subarray(i * 4, i * 4 + 4)], byLabel.get(v), `point ${i}`));
  // codes given by the column are used as they are
  const coded: Column = { name: "c", kind: "categorical", values: ["x", "y", "x"], categories: ["x", "y"], codes: Int32Array.from([0, 1, 0]) };
  const r = colorByCategory(coded, { order: "first", alpha: 0.5 });
  assert.deepEqual([...r.rgba.subarray(0, 4)], [...BASE[0]!.slice(0, 3), 128]);
  assert.deepEqual([...r.rgba.subarray(4, 8)], [...BASE[1]!.slice(0, 3), 128]);
  // frequency order gives the strongest colour to the biggest category
  const f = colorByCategory(cat(["rare", "big", "big", "mid", "big", "mid"]), { order: "frequency" });
  assert.deepEqual(f.legend.entries.map((e) => e.label), ["big", "mid", "rare"]);
  assert.deepEqual([...f.rgba.subarray(4, 8)], BASE[0]);
  const bad: Column = { name: "bad", kind: "categorical", values: ["x"], categories: ["x"], codes: Int32Array.from([3]) };
  assert.throws(() => colorByCategory(bad), /code 3 of point 0/);
});

test("colorByCategory handles many categories (1,500) with distinct colours", () => {
  const values = Array.from({ length: 3000 }, (_, i) => `w${i % 1500}`);
  const { rgba, legend } = colorByCategory(cat(values));
  assert.equal(legend.entries.length, 1500);
  const distinct = new Set<string>();
  for (let i = 0; i < 1500; i++) distinct.add(rgba.subarray(i * 4, i * 4 + 4).join(","));
  assert.ok(distinct.size >= 1400, `${distinct.size} distinct colours for 1500 categories`);
});

test("colorByNumber: min to max along the scale, NaN grey, a gradient legend with round ticks", () => {
  const numbers = Float64Array.from([0, 5, 10, NaN, 2.5, 7.5]);
  const col: Column = { name: "score", kind: "numeric", values: [...numbers].map(String), numbers };
  const { rgba, legend } = colorByNumber(col);
  assert.deepEqual([...rgba.subarray(0, 4)], viridis(0));
  assert.deepEqual([...rgba.subarray(8, 12)], viridis(1));
  assert.deepEqual([...rgba.subarray(12, 16)], NAN_GREY);
  // lightness follows the value
  const light = (i: number): number => oklab(rgba[i * 4]!, rgba[i * 4 + 1]!, rgba[i * 4 + 2]!)[0];
  const order = [0, 4, 1, 5, 2];
  for (let k = 1; k < order.length; k++) assert.ok(light(order[k]!) > light(order[k - 1]!));
  assert.equal(legend.kind, "gradient");
  if (legend.kind !== "gradient") return;
  assert.equal(legend.min, 0);
  assert.equal(legend.max, 10);
  assert.equal(legend.nanCount, 1);
  assert.deepEqual(legend.ticks.map((t) => t.value), [0, 2, 4, 6, 8, 10]);
  assert.deepEqual(legend.ticks.map((t) => t.t), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.equal(legend.stops[0]!.t, 0);
  assert.equal(legend.stops.at(-1)!.t, 1);
  // a fixed range clamps; values parsed from strings when the column has no numbers
  const parsed = colorByNumber({ name: "s", kind: "numeric", values: ["-1", "0.5", "", "3"] }, { min: 0, max: 1 });
  assert.deepEqual([...parsed.rgba.subarray(0, 4)], viridis(0));
  assert.deepEqual([...parsed.rgba.subarray(8, 12)], NAN_GREY);
  assert.deepEqual([...parsed.rgba.subarray(12, 16)], viridis(1));
  // a constant column sits in the middle
  const flat = colorByNumber({ name: "k", kind: "numeric", values: ["4", "4"], numbers: Float64Array.from([4, 4]) });
  assert.deepEqual([...flat.rgba.subarray(0, 4)], viridis(128 / 255));
  assert.throws(() => colorByNumber(col, { min: 5, max: 1 }), /min 5 and max 1/);
  // colorBy dispatches on the kind
  assert.equal(colorBy(col).legend.kind, "gradient");
  assert.equal(colorBy(cat(["a"])).legend.kind, "categorical");
});

test("niceTicks: steps of 1, 2 or 5 times a power of ten inside the range", () => {
  assert.deepEqual(niceTicks(0, 1), [0, 0.2, 0.4, 0.6, 0.8, 1]);
  assert.deepEqual(niceTicks(-3.7, 12.2), [0, 5, 10]);
  assert.deepEqual(niceTicks(0.013, 0.049), [0.02, 0.03, 0.04]);
  assert.deepEqual(niceTicks(1500, 98000), [20000, 40000, 60000, 80000]);
  assert.deepEqual(niceTicks(3, 3), [3]);
  assert.deepEqual(niceTicks(NaN, 1), []);
});
