// FFT-accelerated interpolation of the t-SNE repulsion in 2-D (Linderman et al. 2019, "FIt-SNE"; as in openTSNE).
// The square bounding box of the map is cut into nBoxes² boxes with p = 3 equispaced Lagrange nodes per box and
// axis. Each point spreads four charges (1, y₁, y₂, ‖y‖²) onto the 9 nodes around it; the node potentials are a
// discrete convolution with the squared Cauchy kernel k(d) = 1/(1 + d²)², done by FFT on a (2N)² circulant
// embedding (N = p·nBoxes); the potentials are interpolated back to the points. With φ_c the potential of charge c:
//   Σ_j w_ij² (y_i − y_j) = y_i·φ₁ − (φ_{y₁}, φ_{y₂}),   Z = Σ_i [(1 + ‖y_i‖²)·φ₁ − 2 y_i·φ_y + φ_{‖y‖²}] − n.
import { isFftSize } from "../core/fft.js";
import type { Route } from "../core/backend.js";
import { gridConvolution, type GridConvolution } from "./fft-grid.js";

export interface FftRepulsionOptions {
  /** Interpolation nodes per box and axis (default 3). */
  nodes?: number;
  /** At least this many boxes per axis (default 50). */
  minBoxes?: number;
  /** Boxes per unit length of the map (default 1). */
  boxesPerUnit?: number;
  /**
   * At most this many boxes per axis (default: no limit). Wider boxes shrink the grid but the forces suffer
   * quickly where points are dense (measured: 2.7 % force error uncapped, 14 % at 96 boxes, 180 % at 48 on a
   * 120-wide clustered map).
   */
  maxBoxes?: number;
  /** The grid convolution's route (backend.ts): "auto" (WebAssembly where available), "wasm" or "ts" (for tests). */
  backend?: Route;
}

/** Reusable state of the FFT repulsion (plans and grids are kept while the grid size stays the same). */
export class FftRepulsion {
  readonly nodes: number;
  readonly minBoxes: number;
  readonly boxesPerUnit: number;
  readonly maxBoxes: number;
  private readonly conv: GridConvolution;
  private size = 0; // M = 2N
  private grid = new Float64Array(0);
  private kernelKey = NaN;
  private order = new Int32Array(0);
  private boxOf = new Int32Array(0);
  private counts = new Int32Array(0);
  private readonly denom: Float64Array;
  private readonly lx: Float64Array;
  private readonly ly: Float64Array;
  /** Boxes per axis used by the last call (for diagnostics). */
  lastBoxes = 0;

  constructor(opts: FftRepulsionOptions = {}) {
    this.nodes = opts.nodes ?? 3;
    this.minBoxes = opts.minBoxes ?? 50;
    this.boxesPerUnit = opts.boxesPerUnit ?? 1;
    this.maxBoxes = opts.maxBoxes ?? Infinity;
    this.conv = gridConvolution(opts.backend ?? "auto");
    this.denom = lagrangeDenominators(this.nodes);
    this.lx = new Float64Array(this.nodes);
    this.ly = new Float64Array(this.nodes);
  }

  /** Writes Σ_j w_ij² (y_i − y_j) for every point into out (n x 2) and returns Z = Σ_{i≠j} w_ij. */
  repulsion(Y: Float64Array, n: number, out: Float64Array): number {
    const p = this.nodes;
    let lo = Infinity;
    let hi = -Infinity;
    for (let t = 0; t < 2 * n; t++) {
      const v = Y[t]!;
      if (v < lo) lo = v;
      if (v > hi) hi = v;
    }
    const span = Math.max(hi - lo, 1e-12) * (1 + 1e-9);
    // Box width 1/boxesPerUnit once the map is wide enough (so the kernel's spectrum stays the same from one
    // iteration to the next and is reused), else about span/minBoxes. 2·p·nBoxes must be an FFT length (2^a·3^b), so
    // nBoxes is rounded up to such a number and the grid may reach past the map.
    const unit = 1 / this.boxesPerUnit;
    // narrow maps: span/minBoxes, rounded down to a power of 2^(1/8) so the kernel's spectrum is reused while the
    // map grows by less than 9 %
    const minBoxes = Math.min(this.minBoxes, this.maxBoxes);
    let boxW = span >= minBoxes * unit ? unit : 2 ** (Math.floor(8 * Math.log2(span / minBoxes)) / 8);
    // at most maxBoxes per axis: wider boxes, again on the 2^(1/8) ladder (rounded up)
    if (span / boxW > this.maxBoxes) boxW = 2 ** (Math.ceil(8 * Math.log2(span / this.maxBoxes)) / 8);
    let nBoxes = Math.max(minBoxes, Math.ceil(span / boxW));
    while (!isFftSize(nBoxes)) nBoxes++;
    this.lastBoxes = nBoxes;
    const N = p * nBoxes;
    const M = 2 * N;
    this.ensure(M);
    const h = boxW / p; // node spacing
    if (this.kernelKey !== h) {
      this.setKernel(N, M, h);
      this.kernelKey = h;
    }
    // visit the points box by box (counting sort) so the grid is touched in order
    const nb2 = nBoxes * nBoxes;
    if (this.order.length < n) {
      this.order = new Int32Array(n);
      this.boxOf = new Int32Array(n);
    }
    if (this.counts.length < nb2 + 1) this.counts = new Int32Array(nb2 + 1);
    const { order, boxOf } = this;
    const counts = this.counts.subarray(0, nb2 + 1);
    counts.fill(0);
    const inv = 1 / boxW;
    for (let i = 0; i < n; i++) {
      const bx = Math.min(nBoxes - 1, Math.floor((Y[2 * i]! - lo) * inv));
      const by = Math.min(nBoxes - 1, Math.floor((Y[2 * i + 1]! - lo) * inv));
      const b = bx * nBoxes + by;
      boxOf[i] = b;
      counts[b + 1]!++;
    }
    for (let b = 0; b < nb2; b++) counts[b + 1]! += counts[b]!;
    for (let i = 0; i < n; i++) order[counts[boxOf[i]!]!++] = i;

    // charges on a compact N x N grid, 4 interleaved per node: 1, y₁, y₂, ‖y‖²
    const grid = this.grid.subarray(0, 4 * N * N);
    grid.fill(0);
    const denom = this.denom;
    const lx = this.lx;
    const ly = this.ly;
    // the first grid node of point i's box (times 4), with its Lagrange weights left in lx and ly
    const locate = (i: number): number => {
      const b = boxOf[i]!;
      const bx = (b / nBoxes) | 0;
      const by = b - bx * nBoxes;
      lagrange((Y[2 * i]! - lo) * inv - bx, p, denom, lx);
      lagrange((Y[2 * i + 1]! - lo) * inv - by, p, denom, ly);
      return 4 * (bx * p * N + by * p);
    };
    for (let r = 0; r < n; r++) {
      const i = order[r]!;
      const x = Y[2 * i]!;
      const y = Y[2 * i + 1]!;
      const g0 = locate(i);
      const r2 = x * x + y * y;
      for (let s = 0; s < p; s++) {
        let g = g0 + 4 * s * N;
        const ws = lx[s]!;
        for (let t = 0; t < p; t++, g += 4) {
          const w = ws * ly[t]!;
          grid[g]! += w;
          grid[g + 1]! += w * x;
          grid[g + 2]! += w * y;
          grid[g + 3]! += w * r2;
        }
      }
    }
    // into the zero-padded FFT arrays (pairs of real channels as one complex signal), convolve, and back
    const { aRe, aIm, bRe, bIm } = this.conv.arrays();
    for (let u = 0; u < N; u++) {
      for (let v = 0; v < N; v++) {
        const g = 4 * (u * N + v);
        const f = u * M + v;
        aRe[f] = grid[g]!;
        aIm[f] = grid[g + 1]!;
        bRe[f] = grid[g + 2]!;
        bIm[f] = grid[g + 3]!;
      }
    }
    this.conv.convolve(N);
    for (let u = 0; u < N; u++) {
      for (let v = 0; v < N; v++) {
        const g = 4 * (u * N + v);
        const f = u * M + v;
        grid[g] = aRe[f]!;
        grid[g + 1] = aIm[f]!;
        grid[g + 2] = bRe[f]!;
        grid[g + 3] = bIm[f]!;
      }
    }

    let z = 0;
    for (let r = 0; r < n; r++) {
      const i = order[r]!;
      const x = Y[2 * i]!;
      const y = Y[2 * i + 1]!;
      const g0 = locate(i);
      let p1 = 0, px = 0, py = 0, pr = 0;
      for (let s = 0; s < p; s++) {
        let g = g0 + 4 * s * N;
        const ws = lx[s]!;
        for (let t = 0; t < p; t++, g += 4) {
          const w = ws * ly[t]!;
          p1 += w * grid[g]!;
          px += w * grid[g + 1]!;
          py += w * grid[g + 2]!;
          pr += w * grid[g + 3]!;
        }
      }
      z += (1 + x * x + y * y) * p1 - 2 * (x * px + y * py) + pr;
      out[2 * i] = x * p1 - px;
      out[2 * i + 1] = y * p1 - py;
    }
    return z - n;
  }

  /** Frees the grid (WASM memory); the object can be used again afterwards. */
  dispose(): void {
    this.conv.dispose();
    this.size = 0;
  }

  private ensure(M: number): void {
    if (this.size === M) return;
    this.size = M;
    this.kernelKey = NaN;
    this.conv.resize(M);
    this.grid = new Float64Array(M * M); // 4·N² = M²
  }

  /** The kernel k(d) = 1/(1 + d²)² on the circulant grid: axis index a ≤ N−1 → a·h, a ≥ N+1 → (M − a)·h. */
  private setKernel(N: number, M: number, h: number): void {
    const k1 = new Float64Array(M);
    for (let a = 0; a < M; a++) {
      const d = a < N ? a : a > N ? M - a : 0;
      k1[a] = (d * h) * (d * h);
    }
    this.conv.setKernel((k) => {
      for (let a = 0; a < M; a++) {
        if (a === N) continue;
        for (let b = 0; b < M; b++) {
          const q = 1 / (1 + k1[a]! + k1[b]!);
          k[a * M + b] = b === N ? 0 : q * q;
        }
      }
    });
  }
}

/** 1 / Π_{s≠t} (x_t − x_s) for the nodes x_t = (t + ½)/p. */
function lagrangeDenominators(p: number): Float64Array {
  const d = new Float64Array(p);
  for (let t = 0; t < p; t++) {
    let prod = 1;
    for (let s = 0; s < p; s++) if (s !== t) prod *= (t - s) / p;
    d[t] = 1 / prod;
  }
  return d;
}

/** Lagrange basis values at u ∈ [0, 1] for the nodes (t + ½)/p, written to out[0..p). */
function lagrange(u: number, p: number, denom: Float64Array, out: Float64Array): void {
  for (let t = 0; t < p; t++) {
    let prod = denom[t]!;
    for (let s = 0; s < p; s++) if (s !== t) prod *= u - (s + 0.5) / p;
    out[t] = prod;
  }
}
