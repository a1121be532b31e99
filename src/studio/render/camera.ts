// The studio's camera: pure math (no DOM), so Node tests can check it. Two modes:
// - "2d": orthographic pan/zoom of the x-y plane (z ignored); the wheel zooms around the cursor.
// - "3d": perspective orbit (yaw/pitch around a target), zoom (the distance) and pan (the target moves).
// Screen coordinates are CSS pixels with (0, 0) at the top-left of the canvas and y down; data coordinates are the
// map's own. The state (CameraState in ../types.ts) is data coordinates plus a zoom relative to the fitted view, so a
// view saved in a URL restores on any canvas size.
import { LatentkitError } from "../../core/errors.js";
import type { CameraState } from "../types.js";

export type Vec3 = [number, number, number];

/** An axis-aligned box of the data (z = 0 for 2-D maps). */
export interface Bounds {
  min: Vec3;
  max: Vec3;
}

/** A 4 × 4 matrix, column-major (as WebGL's uniformMatrix4fv takes it). */
export type Mat4 = Float64Array;

/** Vertical field of view in 3-D (radians). */
export const FOV = (40 * Math.PI) / 180;
const MAX_PITCH = Math.PI / 2 - 1e-3;
/** Zoom is kept within this range of the fitted view (far out, deep in). */
export const ZOOM_MIN = 1 / 64;
export const ZOOM_MAX = 1 << 16;

/**
 * The bounds of n points (row-major, `dims` columns), over finite values only; `visible` (0 = hidden) leaves points
 * out. Empty or all-NaN data gives the unit box around 0.
 */
export function boundsOf(values: Float32Array | Float64Array, dims: 2 | 3, visible?: Uint8Array | null): Bounds {
  const n = Math.floor(values.length / dims);
  let x0 = Infinity, y0 = Infinity, z0 = Infinity, x1 = -Infinity, y1 = -Infinity, z1 = -Infinity;
  for (let i = 0; i < n; i++) {
    if (visible && visible[i] === 0) continue;
    const x = values[i * dims]!, y = values[i * dims + 1]!, z = dims === 3 ? values[i * dims + 2]! : 0;
    if (!Number.isFinite(x) || !Number.isFinite(y) || !Number.isFinite(z)) continue;
    if (x < x0) x0 = x;
    if (x > x1) x1 = x;
    if (y < y0) y0 = y;
    if (y > y1) y1 = y;
    if (z < z0) z0 = z;
    if (z > z1) z1 = z;
  }
  if (x0 > x1) return { min: [-1, -1, dims === 3 ? -1 : 0], max: [1, 1, dims === 3 ? 1 : 0] };
  return { min: [x0, y0, z0], max: [x1, y1, z1] };
}

function lookAt(eye: Vec3, target: Vec3, up: Vec3): Mat4 {
  let fx = target[0] - eye[0], fy = target[1] - eye[1], fz = target[2] - eye[2];
  const fl = Math.hypot(fx, fy, fz) || 1;
  fx /= fl; fy /= fl; fz /= fl;
  // s = f × up
  let sx = fy * up[2] - fz * up[1], sy = fz * up[0] - fx * up[2], sz = fx * up[1] - fy * up[0];
  const sl = Math.hypot(sx, sy, sz) || 1;
  sx /= sl; sy /= sl; sz /= sl;
  // u = s × f
  const ux = sy * fz - sz * fy, uy = sz * fx - sx * fz, uz = sx * fy - sy * fx;
  const m = new Float64Array(16);
  m[0] = sx; m[4] = sy; m[8] = sz; m[12] = -(sx * eye[0] + sy * eye[1] + sz * eye[2]);
  m[1] = ux; m[5] = uy; m[9] = uz; m[13] = -(ux * eye[0] + uy * eye[1] + uz * eye[2]);
  m[2] = -fx; m[6] = -fy; m[10] = -fz; m[14] = fx * eye[0] + fy * eye[1] + fz * eye[2];
  m[15] = 1;
  return m;
}

function perspective(fovy: number, aspect: number, near: number, far: number): Mat4 {
  const f = 1 / Math.tan(fovy / 2);
  const m = new Float64Array(16);
  m[0] = f / aspect;
  m[5] = f;
  m[10] = (far + near) / (near - far);
  m[11] = -1;
  m[14] = (2 * far * near) / (near - far);
  return m;
}

/** a × b, both column-major. */
export function multiply(a: Mat4, b: Mat4): Mat4 {
  const m = new Float64Array(16);
  for (let c = 0; c < 4; c++) {
    for (let r = 0; r < 4; r++) {
      let s = 0;
      for (let k = 0; k < 4; k++) s += a[k * 4 + r]! * b[c * 4 + k]!;
      m[c * 4 + r] = s;
    }
  }
  return m;
}

export class Camera {
  mode: "2d" | "3d" = "2d";
  /** Viewport in CSS pixels. */
  width = 1;
  height = 1;
  /** 2-D: the data point at the middle of the view; 3-D: the orbit target. */
  center: Vec3 = [0, 0, 0];
  /** Relative to the fitted view (1 = the data bounds fill the view with a margin). */
  zoom = 1;
  /** 3-D: rotation about the y axis and elevation (radians). */
  yaw = 0.6;
  pitch = 0.35;
  private bounds: Bounds = { min: [-1, -1, -1], max: [1, 1, 1] };

  setViewport(width: number, height: number): void {
    if (!(width > 0) || !(height > 0)) throw new LatentkitError(`camera viewport must be positive, got ${width} x ${height} (src/studio/render/camera.ts)`);
    this.width = width;
    this.height = height;
  }

  /** Frames `bounds` (the centre in the middle, zoom 1); in 3-D the angles are kept. */
  fit(bounds: Bounds, mode: "2d" | "3d" = this.mode): void {
    this.mode = mode;
    this.bounds = { min: [...bounds.min], max: [...bounds.max] };
    this.center = [0, 1, 2].map((k) => (bounds.min[k]! + bounds.max[k]!) / 2) as Vec3;
    if (mode === "2d") this.center[2] = 0;
    this.zoom = 1;
  }

  getBounds(): Bounds {
    return { min: [...this.bounds.min], max: [...this.bounds.max] };
  }

  /** Sets the bounds the zoom is relative to, without moving the view. */
  setBounds(bounds: Bounds): void {
    this.bounds = { min: [...bounds.min], max: [...bounds.max] };
  }

  getState(): CameraState {
    return { mode: this.mode, center: [...this.center], zoom: this.zoom, yaw: this.yaw, pitch: this.pitch };
  }

  setState(s: Partial<CameraState>): void {
    if (s.mode !== undefined) {
      if (s.mode !== "2d" && s.mode !== "3d") throw new LatentkitError(`camera mode must be "2d" or "3d", got ${JSON.stringify(s.mode)} (src/studio/render/camera.ts)`);
      this.mode = s.mode;
    }
    if (s.center !== undefined) {
      if (s.center.length !== 3 || !s.center.every(Number.isFinite)) {
        throw new LatentkitError(`camera center must be 3 finite numbers, got ${JSON.stringify(s.center)} (src/studio/render/camera.ts)`);
      }
      this.center = [s.center[0], s.center[1], s.center[2]];
    }
    if (s.zoom !== undefined) {
      if (!(s.zoom > 0) || !Number.isFinite(s.zoom)) throw new LatentkitError(`camera zoom must be a positive number, got ${s.zoom} (src/studio/render/camera.ts)`);
      this.zoom = clamp(s.zoom, ZOOM_MIN, ZOOM_MAX);
    }
    if (s.yaw !== undefined) {
      if (!Number.isFinite(s.yaw)) throw new LatentkitError(`camera yaw must be a finite number, got ${s.yaw} (src/studio/render/camera.ts)`);
      this.yaw = s.yaw;
    }
    if (s.pitch !== undefined) {
      if (!Number.isFinite(s.pitch)) throw new LatentkitError(`camera pitch must be a finite number, got ${s.pitch} (src/studio/render/camera.ts)`);
      this.pitch = clamp(s.pitch, -MAX_PITCH, MAX_PITCH);
    }
  }

  private extent(): Vec3 {
    const b = this.bounds;
    return [b.max[0] - b.min[0], b.max[1] - b.min[1], b.max[2] - b.min[2]];
  }

  /** 2-D: CSS pixels per data unit. */
  scale(): number {
    const [rx, ry] = this.extent();
    const tiny = 1e-9 * Math.max(1, Math.abs(rx), Math.abs(ry));
    const sx = this.width / Math.max(rx, tiny), sy = this.height / Math.max(ry, tiny);
    const s0 = 0.9 * Math.min(rx > tiny ? sx : sy, ry > tiny ? sy : sx);
    return s0 * this.zoom;
  }

  /** 3-D: radius of the bounding sphere of the fitted bounds. */
  radius(): number {
    const [rx, ry, rz] = this.extent();
    return Math.max(Math.hypot(rx, ry, rz) / 2, 1e-9);
  }

  /** 3-D: distance from the eye to the target. */
  distance(): number {
    const aspect = this.width / this.height;
    const half = Math.min(FOV / 2, Math.atan(Math.tan(FOV / 2) * aspect));
    return (1.05 * this.radius()) / Math.sin(half) / this.zoom;
  }

  /** 3-D: where the eye is. */
  eye(): Vec3 {
    const d = this.distance(), cp = Math.cos(this.pitch);
    return [this.center[0] + d * cp * Math.sin(this.yaw), this.center[1] + d * Math.sin(this.pitch), this.center[2] + d * cp * Math.cos(this.yaw)];
  }

  /** 3-D: the camera's right and up axes (unit vectors, data space). */
  axes(): { right: Vec3; up: Vec3; forward: Vec3 } {
    const cp = Math.cos(this.pitch), sp = Math.sin(this.pitch), cy = Math.cos(this.yaw), sy = Math.sin(this.yaw);
    const forward: Vec3 = [-cp * sy, -sp, -cp * cy];
    const right: Vec3 = [cy, 0, -sy];
    // up = right × forward
    const up: Vec3 = [right[1] * forward[2] - right[2] * forward[1], right[2] * forward[0] - right[0] * forward[2], right[0] * forward[1] - right[1] * forward[0]];
    return { right, up, forward };
  }

  /** CSS pixels per data unit at the target's depth (2-D: the scale). */
  pixelsPerUnit(): number {
    if (this.mode === "2d") return this.scale();
    return this.height / (2 * this.distance() * Math.tan(FOV / 2));
  }

  /** Data → clip space, column-major (2-D: orthographic, clip z = 0). */
  viewProjection(): Mat4 {
    if (this.mode === "2d") {
      const s = this.scale();
      const ax = (2 * s) / this.width, ay = (2 * s) / this.height;
      const m = new Float64Array(16);
      m[0] = ax; m[12] = -ax * this.center[0];
      m[5] = ay; m[13] = -ay * this.center[1];
      m[15] = 1;
      return m;
    }
    const d = this.distance(), r = this.radius();
    const b = this.bounds;
    const off = Math.hypot(
      this.center[0] - (b.min[0] + b.max[0]) / 2,
      this.center[1] - (b.min[1] + b.max[1]) / 2,
      this.center[2] - (b.min[2] + b.max[2]) / 2,
    );
    const near = Math.max(d * 0.01, d - 2 * r - off);
    const far = d + 2 * r + off;
    const { up } = this.axes();
    return multiply(perspective(FOV, this.width / this.height, near, far), lookAt(this.eye(), this.center, up));
  }

  /** Screen position (CSS pixels) and depth (clip w; 1 in 2-D) of a data point, or null behind the eye. */
  project(x: number, y: number, z = 0, m: Mat4 = this.viewProjection()): [number, number, number] | null {
    const cx = m[0]! * x + m[4]! * y + m[8]! * z + m[12]!;
    const cy = m[1]! * x + m[5]! * y + m[9]! * z + m[13]!;
    const cw = m[3]! * x + m[7]! * y + m[11]! * z + m[15]!;
    if (!(cw > 1e-12)) return null;
    return [(cx / cw * 0.5 + 0.5) * this.width, (0.5 - cy / cw * 0.5) * this.height, cw];
  }

  /**
   * The data point under a screen position: 2-D on the x-y plane; 3-D on the plane through the target facing the
   * eye.
   */
  unproject(sx: number, sy: number): Vec3 {
    const nx = sx - this.width / 2, ny = this.height / 2 - sy;
    if (this.mode === "2d") {
      const s = this.scale();
      return [this.center[0] + nx / s, this.center[1] + ny / s, this.center[2]];
    }
    const p = this.pixelsPerUnit();
    const { right, up } = this.axes();
    return [0, 1, 2].map((k) => this.center[k]! + (right[k]! * nx + up[k]! * ny) / p) as Vec3;
  }

  /** Moves the view so the content follows a drag of (dx, dy) CSS pixels. */
  pan(dx: number, dy: number): void {
    if (this.mode === "2d") {
      const s = this.scale();
      this.center[0] -= dx / s;
      this.center[1] += dy / s;
      return;
    }
    const p = this.pixelsPerUnit();
    const { right, up } = this.axes();
    for (let k = 0; k < 3; k++) this.center[k] = this.center[k]! - (right[k]! * dx - up[k]! * dy) / p;
  }

  /** Zooms by `factor` (> 1: closer) keeping the data point under (sx, sy) where it is on screen. */
  zoomAt(factor: number, sx = this.width / 2, sy = this.height / 2): void {
    if (!(factor > 0) || !Number.isFinite(factor)) return;
    const before = this.unproject(sx, sy);
    const z = clamp(this.zoom * factor, ZOOM_MIN, ZOOM_MAX);
    const f = z / this.zoom;
    this.zoom = z;
    // the point under the cursor stays: centre moves towards it by 1 - 1/f of the way
    for (let k = 0; k < 3; k++) this.center[k] = before[k]! + (this.center[k]! - before[k]!) / f;
  }

  /** 3-D: turns the view by a drag of (dx, dy) CSS pixels (a full-width drag is about one turn). */
  orbit(dx: number, dy: number): void {
    const k = (2 * Math.PI) / Math.max(200, this.width);
    this.yaw -= dx * k;
    this.pitch = clamp(this.pitch + dy * k, -MAX_PITCH, MAX_PITCH);
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return v < lo ? lo : v > hi ? hi : v;
}

/**
 * Projects n points (row-major, `dims` columns) with a camera's matrix into screen CSS pixels: sx, sy and the depth
 * (clip w), NaN where a point is behind the eye or not finite. One pass, no allocation when `out` is given.
 */
export function projectAll(
  camera: Camera, values: Float32Array, dims: 2 | 3, out?: { sx: Float32Array; sy: Float32Array; depth: Float32Array },
): { sx: Float32Array; sy: Float32Array; depth: Float32Array } {
  const n = Math.floor(values.length / dims);
  const o = out && out.sx.length === n ? out : { sx: new Float32Array(n), sy: new Float32Array(n), depth: new Float32Array(n) };
  const m = camera.viewProjection();
  const m0 = m[0]!, m1 = m[1]!, m3 = m[3]!, m4 = m[4]!, m5 = m[5]!, m7 = m[7]!, m8 = m[8]!, m9 = m[9]!, m11 = m[11]!;
  const m12 = m[12]!, m13 = m[13]!, m15 = m[15]!;
  const hw = camera.width / 2, hh = camera.height / 2;
  const { sx, sy, depth } = o;
  if (dims === 2) {
    for (let i = 0, j = 0; i < n; i++, j += 2) {
      const x = values[j]!, y = values[j + 1]!;
      const cw = m3 * x + m7 * y + m15;
      if (cw > 1e-12) {
        sx[i] = ((m0 * x + m4 * y + m12) / cw + 1) * hw;
        sy[i] = (1 - (m1 * x + m5 * y + m13) / cw) * hh;
        depth[i] = cw;
      } else {
        sx[i] = NaN; sy[i] = NaN; depth[i] = NaN;
      }
    }
  } else {
    for (let i = 0, j = 0; i < n; i++, j += 3) {
      const x = values[j]!, y = values[j + 1]!, z = values[j + 2]!;
      const cw = m3 * x + m7 * y + m11 * z + m15;
      if (cw > 1e-12) {
        sx[i] = ((m0 * x + m4 * y + m8 * z + m12) / cw + 1) * hw;
        sy[i] = (1 - (m1 * x + m5 * y + m9 * z + m13) / cw) * hh;
        depth[i] = cw;
      } else {
        sx[i] = NaN; sy[i] = NaN; depth[i] = NaN;
      }
    }
  }
  return o;
}
