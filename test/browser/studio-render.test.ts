// The studio's WebGL2 point renderer in headless Chromium (SwiftShader): what it draws (pixel counts of the drawing
// buffer in the regions where the points project), picking, polygon selection, greying, hiding, highlighting, the
// 3-D view, mouse interaction, sprites and labels.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { existsSync } from "node:fs";
import type { Page } from "playwright-core";
import { CHROMIUM, openRenderPage, type RenderPage } from "./studio-render-page.js";

const skip = existsSync(CHROMIUM) ? false : `${CHROMIUM} is missing (CI installs it: apt-get install chromium)`;

let rp: RenderPage | undefined;
let page: Page;
before(async () => {
  if (skip) return;
  rp = await openRenderPage();
  page = rp.page;
});
after(async () => {
  await rp?.close();
});

// Three 2-D clusters of 200 points: red at (-5, 0), green at (5, 0), blue at (0, 6).
const THREE_CLUSTERS = `
  const data = clusters([[-5, 0], [5, 0], [0, 6]], 200, 0.35, 2, 7);
  const r = make(data.n);
  const COLS = [[220, 30, 30, 255], [30, 170, 40, 255], [30, 60, 220, 255]];
  const rgba = new Uint8Array(data.n * 4);
  for (let i = 0; i < data.n; i++) rgba.set(COLS[data.label[i]], i * 4);
  r.setPositions(data.coords, true);
  r.setColors(rgba);
`;

interface Box { x0: number; y0: number; x1: number; y1: number }

async function evalIn<T>(body: string): Promise<T> {
  return page.evaluate(`(() => { ${body} })()`) as Promise<T>;
}

test("three clusters are drawn in their colours where they project, and nothing elsewhere", { skip, timeout: 30000 }, async () => {
  const r = await evalIn<{ boxes: Box[]; counts: number[][]; total: number[]; bg: number; W: number; H: number; gl: string }>(`
    ${THREE_CLUSTERS}
    const img = pixels();
    // the screen box of each cluster's points, grown by 6 px
    const boxes = [0, 1, 2].map((c) => {
      let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
      for (let i = c * 200; i < (c + 1) * 200; i++) { const [x, y] = r.project(i); x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y); }
      return { x0: Math.floor(x0 - 6), y0: Math.floor(y0 - 6), x1: Math.ceil(x1 + 6), y1: Math.ceil(y1 + 6) };
    });
    const cols = [[220, 30, 30], [30, 170, 40], [30, 60, 220]];
    const counts = boxes.map((b) => cols.map((c) => countColor(img, c, 12, [b.x0, b.y0, b.x1, b.y1])));
    const total = cols.map((c) => countColor(img, c, 12));
    const gl = r.canvas.getContext("webgl2");
    const dbg = gl.getExtension("WEBGL_debug_renderer_info");
    return { boxes, counts, total, bg: countColor(img, [255, 255, 255], 0), W: img.W, H: img.H,
      gl: dbg ? gl.getParameter(dbg.UNMASKED_RENDERER_WEBGL) : gl.getParameter(gl.RENDERER) };
  `);
  assert.equal(r.W, 400);
  assert.equal(r.H, 300);
  for (let c = 0; c < 3; c++) {
    // each cluster's box holds its own colour (well over a few dots' worth) and none of the others
    assert.ok(r.counts[c]![c]! > 300, `cluster ${c}: ${r.counts[c]![c]} pixels of its colour in its box (${r.gl})`);
    for (let o = 0; o < 3; o++) if (o !== c) assert.equal(r.counts[c]![o], 0, `cluster ${c}'s box holds colour ${o}`);
    // and all of its colour is in its box
    assert.equal(r.total[c], r.counts[c]![c], `colour ${c} outside its cluster's box`);
  }
  // the clusters sit apart: red left of green, blue above both
  assert.ok(r.boxes[0]!.x1 < r.boxes[1]!.x0);
  assert.ok(r.boxes[2]!.y1 < Math.min(r.boxes[0]!.y0, r.boxes[1]!.y0));
  // the view frames the data: every box inside the canvas
  for (const b of r.boxes) assert.ok(b.x0 >= 0 && b.y0 >= 0 && b.x1 <= 400 && b.y1 <= 300, JSON.stringify(b));
  assert.ok(r.bg > 0.8 * 400 * 300, `background pixels ${r.bg}`);
});

test("pick() finds the point at its projected position and -1 in empty space", { skip, timeout: 30000 }, async () => {
  const r = await evalIn<{ hits: number[][]; empty: number[]; near: number; far: number }>(`
    ${THREE_CLUSTERS}
    r.draw();
    const hits = [0, 137, 250, 399, 421, 599].map((i) => { const [x, y] = r.project(i); return [i, r.pick(x, y)]; });
    const empty = [[2, 2], [398, 298], [200, 290]].map(([x, y]) => r.pick(x, y));
    // an isolated point: 4 px away is found, 12 px away is not
    const one = clusters([[0, 0]], 1, 0, 2);
    const two = { dims: 2, values: new Float32Array([0, 0, 10, 10]) };
    const q = make(2);
    q.setPositions(two, true);
    const [x, y] = q.project(0);
    return { hits, empty, near: q.pick(x + 4, y), far: q.pick(x + 12, y) };
  `);
  for (const [i, got] of r.hits) assert.equal(got, i, `pick at point ${i}'s position`);
  assert.deepEqual(r.empty, [-1, -1, -1]);
  assert.equal(r.near, 0);
  assert.equal(r.far, -1);
});
