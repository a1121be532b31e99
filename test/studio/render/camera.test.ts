// The studio camera's math in Node: fitting, project/unproject, pan, zoom around the cursor, orbit, state.
import { test } from "node:test";
import assert from "node:assert/strict";
import { LatentkitError } from "../../../src/core/errors.js";
import { Camera, boundsOf, projectAll, ZOOM_MAX } from "../../../src/studio/render/camera.js";

const close = (a: number, b: number, tol = 1e-6, what = ""): void => assert.ok(Math.abs(a - b) <= tol, `${what} ${a} vs ${b}`);

function cam2d(w = 400, h = 300): Camera {
  const c = new Camera();
  c.setViewport(w, h);
  c.fit({ min: [-10, -5, 0], max: [10, 5, 0] }, "2d");
  return c;
}

test("boundsOf skips non-finite values and hidden points; empty data gives a unit box", () => {
  const v = new Float32Array([0, 0, 3, -1, NaN, 7, 100, 100]);
  assert.deepEqual(boundsOf(v, 2), { min: [0, -1, 0], max: [100, 100, 0] });
  assert.deepEqual(boundsOf(v, 2, Uint8Array.from([1, 1, 1, 0])), { min: [0, -1, 0], max: [3, 0, 0] });
  assert.deepEqual(boundsOf(v, 2, Uint8Array.from([0, 1, 1, 1])), { min: [3, -1, 0], max: [100, 100, 0] });
  assert.deepEqual(boundsOf(new Float32Array(0), 3), { min: [-1, -1, -1], max: [1, 1, 1] });
  const b3 = boundsOf(new Float32Array([1, 2, 3, -1, 5, 0]), 3);
  assert.deepEqual(b3, { min: [-1, 2, 0], max: [1, 5, 3] });
});

test("2-D fit frames the bounds in the view with a margin, centre in the middle", () => {
  const c = cam2d();
  // 20 × 10 data in a 400 × 300 view: the width limits, 90 % of it
  close(c.scale(), 0.9 * 400 / 20);
  assert.deepEqual(c.project(0, 0), [200, 150, 1]);
  const [lx, ly] = c.project(-10, 5)!;
  close(lx, 20, 1e-9, "left margin");
  close(ly, 150 - 5 * 18, 1e-9, "y is up on screen");
  // a tall view: the height limits
  const t = cam2d(100, 1000);
  close(t.scale(), 0.9 * 100 / 20);
  // degenerate data (one point, or a line) still gives a finite scale
  const p = new Camera();
  p.setViewport(200, 200);
  p.fit({ min: [3, 3, 0], max: [3, 3, 0] }, "2d");
  assert.ok(Number.isFinite(p.scale()) && p.scale() > 0);
  assert.deepEqual(p.project(3, 3)!.slice(0, 2), [100, 100]);
  const line = new Camera();
  line.setViewport(200, 200);
  line.fit({ min: [0, 0, 0], max: [10, 0, 0] }, "2d");
  close(line.scale(), 0.9 * 200 / 10);
});

test("2-D unproject inverts project; pan moves the content with the pointer", () => {
  const c = cam2d();
  for (const [x, y] of [[0, 0], [3.5, -2], [-9, 4.5]] as const) {
    const [sx, sy] = c.project(x, y)!;
    const back = c.unproject(sx, sy);
    close(back[0], x, 1e-9);
    close(back[1], y, 1e-9);
  }
  const [ax, ay] = c.project(2, 1)!;
  c.pan(30, -12);
  const [bx, by] = c.project(2, 1)!;
  close(bx - ax, 30, 1e-9, "pan x");
  close(by - ay, -12, 1e-9, "pan y");
});

test("2-D wheel zoom keeps the data point under the cursor fixed", () => {
  const c = cam2d();
  const cursor: [number, number] = [310, 70];
  const under = c.unproject(...cursor);
  c.zoomAt(2.5, ...cursor);
  close(c.zoom, 2.5);
  const [sx, sy] = c.project(under[0], under[1])!;
  close(sx, cursor[0], 1e-9);
  close(sy, cursor[1], 1e-9);
  // zooming out by the same factor goes back
  c.zoomAt(1 / 2.5, ...cursor);
  close(c.zoom, 1);
  close(c.center[0], 0, 1e-9);
  close(c.center[1], 0, 1e-9);
  // clamped at the limits
  c.zoomAt(1e12);
  assert.equal(c.zoom, ZOOM_MAX);
  c.zoomAt(NaN);
  assert.equal(c.zoom, ZOOM_MAX);
});

test("projectAll agrees with project, point by point, in 2-D and 3-D", () => {
  const v2 = new Float32Array([0, 0, 1, 2, -3, 4, 9, -5]);
  const c = cam2d();
  c.zoomAt(1.7, 100, 80);
  const p = projectAll(c, v2, 2);
  for (let i = 0; i < 4; i++) {
    const q = c.project(v2[2 * i]!, v2[2 * i + 1]!)!;
    close(p.sx[i]!, q[0], 1e-3);
    close(p.sy[i]!, q[1], 1e-3);
  }
  const c3 = new Camera();
  c3.setViewport(320, 240);
  c3.fit({ min: [-1, -1, -1], max: [1, 1, 1] }, "3d");
  const v3 = new Float32Array([0, 0, 0, 1, 1, 1, -1, 0.5, -0.25]);
  const p3 = projectAll(c3, v3, 3);
  for (let i = 0; i < 3; i++) {
    const q = c3.project(v3[3 * i]!, v3[3 * i + 1]!, v3[3 * i + 2]!)!;
    close(p3.sx[i]!, q[0], 1e-3);
    close(p3.sy[i]!, q[1], 1e-3);
    close(p3.depth[i]!, q[2], 1e-3);
  }
});

test("3-D: the target projects to the middle, fit shows every corner, depth follows distance from the eye", () => {
  const c = new Camera();
  c.setViewport(400, 300);
  c.fit({ min: [-2, -1, -3], max: [2, 1, 3] }, "3d");
  const mid = c.project(0, 0, 0)!;
  close(mid[0], 200, 1e-9);
  close(mid[1], 150, 1e-9);
  close(mid[2], c.distance(), 1e-9, "depth of the target");
  for (const x of [-2, 2]) for (const y of [-1, 1]) for (const z of [-3, 3]) {
    for (const yaw of [0, 0.6, 2, -2.5]) {
      c.yaw = yaw;
      const [sx, sy] = c.project(x, y, z)!;
      assert.ok(sx >= 0 && sx <= 400 && sy >= 0 && sy <= 300, `corner ${[x, y, z]} at yaw ${yaw}: ${sx}, ${sy}`);
    }
  }
  // the eye is at `distance` from the target, and a point towards the eye is nearer (smaller depth)
  const e = c.eye();
  close(Math.hypot(e[0], e[1], e[2]), c.distance(), 1e-9);
  const toward = c.project(e[0] * 0.1, e[1] * 0.1, e[2] * 0.1)!;
  assert.ok(toward[2] < mid[2]);
  // points behind the eye do not project
  assert.equal(c.project(e[0] * 2, e[1] * 2, e[2] * 2), null);
});

test("3-D orbit turns the view about the target; pan moves the target with the pointer", () => {
  const c = new Camera();
  c.setViewport(400, 300);
  c.fit({ min: [-1, -1, -1], max: [1, 1, 1] }, "3d");
  c.yaw = 0;
  c.pitch = 0;
  // looking down -z: +x is to the right, +y up
  const px = c.project(1, 0, 0)!, py = c.project(0, 1, 0)!;
  assert.ok(px[0] > 200 && Math.abs(px[1] - 150) < 1e-9);
  assert.ok(py[1] < 150 && Math.abs(py[0] - 200) < 1e-9);
  // a drag to the right turns the scene as if grabbed: the front point (0, 0, 1) moves right, +x turns away
  const d0 = c.project(1, 0, 0)![2];
  const f0 = c.project(0, 0, 1)!;
  close(f0[0], 200, 1e-9);
  c.orbit(50, 0);
  assert.ok(c.project(0, 0, 1)![0] > 200);
  assert.ok(c.project(1, 0, 0)![2] > d0);
  // a drag down tilts the top towards the viewer: (0, 1, 0) comes nearer
  const u0 = c.project(0, 1, 0)![2];
  c.orbit(0, 30);
  assert.ok(c.project(0, 1, 0)![2] < u0);
  close(c.project(0, 0, 0)![0], 200, 1e-9, "the target stays in the middle");
  // pitch is clamped short of the poles
  c.orbit(0, 1e6);
  assert.ok(c.pitch < Math.PI / 2 && c.pitch > 1.5);
  // pan: the target's screen position moves by the drag
  c.pitch = 0.3;
  const a = c.project(0, 0, 0)!;
  c.pan(25, 10);
  const b = c.project(0, 0, 0)!;
  close(b[0] - a[0], 25, 1e-6, "pan x");
  close(b[1] - a[1], 10, 1e-6, "pan y");
});

test("3-D zoom around the cursor keeps the point on the target plane under it", () => {
  const c = new Camera();
  c.setViewport(400, 300);
  c.fit({ min: [-1, -1, -1], max: [1, 1, 1] }, "3d");
  const d0 = c.distance();
  const under = c.unproject(300, 100);
  const [sx0, sy0] = c.project(...under)!;
  close(sx0, 300, 1e-6);
  close(sy0, 100, 1e-6);
  c.zoomAt(3, 300, 100);
  close(c.distance(), d0 / 3, 1e-9);
  const [sx, sy] = c.project(...under)!;
  close(sx, 300, 1e-6);
  close(sy, 100, 1e-6);
});

test("getState/setState round-trip a view; bad values are refused with the name of the value", () => {
  const c = cam2d();
  c.pan(40, 10);
  c.zoomAt(3, 50, 60);
  const s = c.getState();
  const d = cam2d(800, 600);
  d.setState(JSON.parse(JSON.stringify(s)));
  assert.deepEqual(d.getState(), s);
  // the same data point sits at the same relative place on a canvas twice the size
  const [x, y] = c.project(1, 1)!;
  const [x2, y2] = d.project(1, 1)!;
  close(x2, 2 * x, 1e-6);
  close(y2, 2 * y, 1e-6);
  c.setState({ mode: "3d", yaw: 1, pitch: 0.5 });
  assert.equal(c.getState().mode, "3d");
  assert.throws(() => c.setState({ zoom: -1 }), (e: Error) => e instanceof LatentkitError && /zoom/.test(e.message));
  assert.throws(() => c.setState({ center: [0, NaN, 0] }), /center/);
  assert.throws(() => c.setState({ mode: "4d" as "2d" }), /mode/);
  assert.throws(() => c.setViewport(0, 10), /viewport/);
});
