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

test("selectPolygon returns exactly the points whose projection is inside; hidden points are left out", { skip, timeout: 30000 }, async () => {
  const r = await evalIn<{ box: number[]; boxSize: number; tri: number[]; triExpected: number[]; hiddenSel: number }>(`
    ${THREE_CLUSTERS}
    r.draw();
    const P = Array.from({ length: data.n }, (_, i) => r.project(i));
    // a box around the red cluster
    let x0 = 1e9, y0 = 1e9, x1 = -1e9, y1 = -1e9;
    for (let i = 0; i < 200; i++) { x0 = Math.min(x0, P[i][0]); x1 = Math.max(x1, P[i][0]); y0 = Math.min(y0, P[i][1]); y1 = Math.max(y1, P[i][1]); }
    const m = r.selectPolygon([[x0 - 3, y0 - 3], [x1 + 3, y0 - 3], [x1 + 3, y1 + 3], [x0 - 3, y1 + 3]]);
    const box = []; for (let i = 0; i < data.n; i++) if (m[i]) box.push(i);
    // a triangle cutting through the green cluster, checked against a brute-force crossing test here
    const [gx, gy] = r.project(300);
    const tri = [[gx - 40, gy + 30], [gx + 5, gy - 40], [gx + 3, gy + 35]];
    const inside = (x, y) => { let c = false; for (let a = 0, b = 2; a < 3; b = a++) { const [xa, ya] = tri[a], [xb, yb] = tri[b]; if ((ya > y) !== (yb > y) && x < (xb - xa) * (y - ya) / (yb - ya) + xa) c = !c; } return c; };
    const triExpected = []; for (let i = 0; i < data.n; i++) if (inside(P[i][0], P[i][1])) triExpected.push(i);
    const mt = r.selectPolygon(tri);
    const triGot = []; for (let i = 0; i < data.n; i++) if (mt[i]) triGot.push(i);
    // hide the red cluster: the same box selects nothing
    const vis = new Uint8Array(data.n).fill(1); vis.fill(0, 0, 200);
    r.setVisible(vis);
    const mh = r.selectPolygon([[x0 - 3, y0 - 3], [x1 + 3, y0 - 3], [x1 + 3, y1 + 3], [x0 - 3, y1 + 3]]);
    return { box, boxSize: box.length, tri: triGot, triExpected, hiddenSel: mh.reduce((a, b) => a + b, 0) };
  `);
  assert.equal(r.boxSize, 200);
  assert.deepEqual(r.box, Array.from({ length: 200 }, (_, i) => i));
  assert.ok(r.triExpected.length > 10 && r.triExpected.length < 200, `the triangle holds part of the cluster (${r.triExpected.length})`);
  assert.deepEqual(r.tri, r.triExpected);
  assert.equal(r.hiddenSel, 0);
});

test("a selection greys the other points; hiding removes points from the picture and from pick()", { skip, timeout: 30000 }, async () => {
  const r = await evalIn<Record<string, number>>(`
    ${THREE_CLUSTERS}
    const before = pixels();
    const green0 = countColor(before, [30, 170, 40], 12), red0 = countColor(before, [220, 30, 30], 12);
    const sel = new Uint8Array(data.n); sel.fill(1, 0, 200);
    r.setSelection(sel);
    const s = pixels();
    // greyed: the faint grey over white (0.62 grey at alpha 0.3 gives about 226)
    let grey = 0;
    for (let o = 0; o < s.px.length; o += 4) { const [a, b, c] = [s.px[o], s.px[o + 1], s.px[o + 2]]; if (a < 245 && Math.abs(a - b) <= 3 && Math.abs(b - c) <= 3) grey++; }
    const out = { green0, red0, greenSel: countColor(s, [30, 170, 40], 40), blueSel: countColor(s, [30, 60, 220], 40), redSel: countColor(s, [220, 30, 30], 12), grey };
    r.setSelection(null);
    out.greenAfter = countColor(pixels(), [30, 170, 40], 12);
    const vis = new Uint8Array(data.n).fill(1); vis.fill(0, 400, 600);
    r.setVisible(vis);
    const h = pixels();
    const [bx, by] = r.project(450) ?? [-1, -1];
    out.blueHidden = countColor(h, [30, 60, 220], 40);
    out.projectHidden = r.project(450) === null ? 1 : 0;
    r.setVisible(null);
    const [x, y] = r.project(450);
    r.setVisible(vis);
    out.pickHidden = r.pick(x, y);
    r.setVisible(null);
    out.pickShown = r.pick(x, y);
    return out;
  `);
  assert.ok(r.green0! > 300 && r.red0! > 300);
  assert.equal(r.greenSel, 0, "no unselected point keeps its colour");
  assert.equal(r.blueSel, 0);
  assert.ok(r.redSel! >= r.red0! * 0.95, `the selected cluster keeps its colour (${r.redSel} of ${r.red0})`);
  assert.ok(r.grey! > 0.6 * (r.green0! + r.red0!), `the unselected clusters are grey (${r.grey} pixels)`);
  assert.equal(r.greenAfter, r.green0, "clearing the selection restores the colours");
  assert.equal(r.blueHidden, 0);
  assert.equal(r.projectHidden, 1);
  assert.equal(r.pickHidden, -1);
  assert.equal(r.pickShown, 450);
});

test("highlighted points are drawn on top, bigger, with a ring; the focus point with its own ring", { skip, timeout: 30000 }, async () => {
  const r = await evalIn<Record<string, number>>(`
    const r = make(3);
    r.setPositions({ dims: 2, values: new Float32Array([0, 0, 10, 0, 5, 8]) }, true);
    r.setColors(new Uint8Array([200, 40, 40, 255, 200, 40, 40, 255, 200, 40, 40, 255]));
    const dark = (img, i) => { const [x, y] = r.project(i); return countColor(img, [25, 25, 25], 30, [Math.round(x) - 12, Math.round(y) - 12, Math.round(x) + 13, Math.round(y) + 13]); };
    const red = (img, i) => { const [x, y] = r.project(i); return countColor(img, [200, 40, 40], 20, [Math.round(x) - 12, Math.round(y) - 12, Math.round(x) + 13, Math.round(y) + 13]); };
    const orange = (img, i) => { const [x, y] = r.project(i); return countColor(img, [255, 89, 0], 30, [Math.round(x) - 14, Math.round(y) - 14, Math.round(x) + 15, Math.round(y) + 15]); };
    const a = pixels();
    r.setHighlight(new Int32Array([1]), 2);
    const b = pixels();
    return { dark0: dark(a, 1), red0: red(a, 1), dark1: dark(b, 1), red1: red(b, 1), darkOther: dark(b, 0), orange2: orange(b, 2), orange1: orange(b, 1) };
  `);
  assert.equal(r.dark0, 0);
  assert.ok(r.dark1! > 15, `ring pixels ${r.dark1}`);
  assert.ok(r.red1! > r.red0!, `the highlighted point is bigger (${r.red1} > ${r.red0} red pixels)`);
  assert.equal(r.darkOther, 0);
  assert.ok(r.orange2! > 15, `focus ring ${r.orange2}`);
  assert.equal(r.orange1, 0);
});

test("3-D: points render with depth, orbiting changes the picture, and the camera state round-trips", { skip, timeout: 30000 }, async () => {
  const r = await evalIn<Record<string, unknown>>(`
    const data = clusters([[-4, 0, 0], [4, 0, 0], [0, 4, 0], [0, 0, 4]], 300, 0.5, 3, 3);
    const r = make(data.n);
    const COLS = [[220, 30, 30, 255], [30, 170, 40, 255], [30, 60, 220, 255], [240, 160, 0, 255]];
    const rgba = new Uint8Array(data.n * 4);
    for (let i = 0; i < data.n; i++) rgba.set(COLS[data.label[i]], i * 4);
    r.setPositions(data.coords);
    r.setColors(rgba);
    const nonBg = (img) => img.W * img.H - countColor(img, [255, 255, 255], 2);
    const a = pixels();
    const cam = r.getCamera();
    r.setCamera({ yaw: cam.yaw + 1.2, pitch: -0.4 });
    const b = pixels();
    let changed = 0;
    for (let o = 0; o < a.px.length; o += 4) if (Math.abs(a.px[o] - b.px[o]) + Math.abs(a.px[o + 1] - b.px[o + 1]) + Math.abs(a.px[o + 2] - b.px[o + 2]) > 30) changed++;
    const moved = r.getCamera();
    // pick the point nearest the eye under a cursor placed on it
    const [x, y] = r.project(5);
    const picked = r.pick(x, y);
    const P = r.project(picked);
    const dist = Math.hypot(P[0] - x, P[1] - y);
    r.setCamera(cam);
    const c = pixels();
    let same = 0; for (let o = 0; o < a.px.length; o++) if (a.px[o] === c.px[o]) same++;
    return { mode: cam.mode, nonBgA: nonBg(a), nonBgB: nonBg(b), changed, moved, same, total: a.px.length, colours: COLS.map((k) => countColor(a, k, 16)), dist };
  `);
  assert.equal(r.mode, "3d");
  assert.ok((r.nonBgA as number) > 1500, `non-background pixels ${r.nonBgA}`);
  assert.ok((r.nonBgB as number) > 1500);
  assert.ok((r.changed as number) > 800, `orbiting changed ${r.changed} pixels`);
  for (const [k, n] of (r.colours as number[]).entries()) assert.ok(n > 100, `cluster ${k}: ${n} pixels`);
  assert.equal(r.same, r.total, "restoring the camera state restores the picture");
  assert.ok((r.dist as number) < 6, "pick in 3-D returns a point under the cursor");
});
