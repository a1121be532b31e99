// A Barnes–Hut space-partitioning tree (quadtree in 2-D, octree in 3-D) over flat typed arrays, rebuilt every
// iteration, for t-SNE's repulsive forces.
const MAX_DEPTH = 48;

export class BHTree {
  readonly dims: number;
  private readonly fan: number;
  private cap: number;
  size = 0;
  center: Float64Array; // node centre, dims per node
  half: Float64Array; // half width of the (cubic) cell
  comSum: Float64Array; // sum of positions of the points below while building; their mean once built
  count: Int32Array;
  child: Int32Array; // first child or -1 (leaf)
  point: Int32Array; // the point stored in a leaf, or -1

  constructor(dims: number, capacity = 1024) {
    this.dims = dims;
    this.fan = 1 << dims;
    this.cap = capacity;
    this.center = new Float64Array(capacity * dims);
    this.half = new Float64Array(capacity);
    this.comSum = new Float64Array(capacity * dims);
    this.count = new Int32Array(capacity);
    this.child = new Int32Array(capacity);
    this.point = new Int32Array(capacity);
  }

  private grow(): void {
    const c = this.cap * 2;
    const d = this.dims;
    const g = <T extends Float64Array | Int32Array>(a: T, len: number): T => {
      const b = new (a.constructor as new (n: number) => T)(len);
      b.set(a);
      return b;
    };
    this.center = g(this.center, c * d);
    this.half = g(this.half, c);
    this.comSum = g(this.comSum, c * d);
    this.count = g(this.count, c);
    this.child = g(this.child, c);
    this.point = g(this.point, c);
    this.cap = c;
  }

  private newNode(): number {
    if (this.size === this.cap) this.grow();
    const id = this.size++;
    this.count[id] = 0;
    this.child[id] = -1;
    this.point[id] = -1;
    for (let a = 0; a < this.dims; a++) this.comSum[id * this.dims + a] = 0;
    return id;
  }

  /** Rebuilds the tree over the n points of Y (row-major n x dims). */
  build(Y: Float64Array, n: number): void {
    const d = this.dims;
    this.size = 0;
    const lo = new Float64Array(d).fill(Infinity);
    const hi = new Float64Array(d).fill(-Infinity);
    for (let i = 0; i < n; i++) {
      for (let a = 0; a < d; a++) {
        const v = Y[i * d + a]!;
        if (v < lo[a]!) lo[a] = v;
        if (v > hi[a]!) hi[a] = v;
      }
    }
    const root = this.newNode();
    let w = 0;
    for (let a = 0; a < d; a++) {
      this.center[root * d + a] = (lo[a]! + hi[a]!) / 2;
      w = Math.max(w, (hi[a]! - lo[a]!) / 2);
    }
    this.half[root] = w * (1 + 1e-5) + 1e-12;
    for (let i = 0; i < n; i++) this.insert(Y, i);
    // sums -> centres of mass
    for (let node = 0; node < this.size; node++) {
      const c = this.count[node]!;
      if (c > 1) for (let a = 0; a < d; a++) this.comSum[node * d + a]! /= c;
    }
  }

  private childFor(node: number, Y: Float64Array, i: number): number {
    const d = this.dims;
    let q = 0;
    for (let a = 0; a < d; a++) if (Y[i * d + a]! > this.center[node * d + a]!) q |= 1 << a;
    return this.child[node]! + q;
  }

  private insert(Y: Float64Array, i: number): void {
    const d = this.dims;
    let node = 0;
    for (let depth = 0; ; depth++) {
      this.count[node]!++;
      for (let a = 0; a < d; a++) this.comSum[node * d + a]! += Y[i * d + a]!;
      if (this.child[node] === -1) {
        if (this.count[node] === 1) {
          this.point[node] = i;
          return;
        }
        const q = this.point[node]!;
        let same = true;
        for (let a = 0; a < d; a++) if (Y[q * d + a] !== Y[i * d + a]) same = false;
        if (same || depth >= MAX_DEPTH) return; // duplicates stay together in this leaf
        // split: create the children and move the stored point down
        const first = this.size;
        for (let c = 0; c < this.fan; c++) {
          const id = this.newNode();
          const h = this.half[node]! / 2;
          this.half[id] = h;
          for (let a = 0; a < d; a++) this.center[id * d + a] = this.center[node * d + a]! + ((c >> a) & 1 ? h : -h);
        }
        this.child[node] = first;
        this.point[node] = -1;
        const cq = this.childFor(node, Y, q);
        this.count[cq] = 1;
        this.point[cq] = q;
        for (let a = 0; a < d; a++) this.comSum[cq * d + a] = Y[q * d + a]!;
      }
      node = this.childFor(node, Y, i);
    }
  }

  /**
   * Repulsive force on point i: adds Σ_j w_ij² (y_i − y_j) into out[0..dims) and returns Σ_j w_ij, with cells whose
   * width is below θ times their distance summarised by their centre of mass (θ = 0: exact).
   */
  repulsion(Y: Float64Array, i: number, theta: number, out: Float64Array, stack: Int32Array): number {
    if (this.dims === 2) return this.repulsion2(Y, i, theta, out, stack);
    const d = this.dims;
    const t2 = theta * theta;
    let sp = 0;
    stack[sp++] = 0;
    let z = 0;
    while (sp > 0) {
      const node = stack[--sp]!;
      const cnt = this.count[node]!;
      if (cnt === 0) continue;
      let d2 = 0;
      for (let a = 0; a < d; a++) {
        const diff = Y[i * d + a]! - this.comSum[node * d + a]!;
        d2 += diff * diff;
      }
      const leaf = this.child[node] === -1;
      if (leaf || 4 * this.half[node]! * this.half[node]! < t2 * d2) {
        // a leaf at distance 0 holds i itself (and any exact duplicates of it): count the others only
        const m = leaf && d2 === 0 ? cnt - 1 : cnt;
        if (m <= 0) continue;
        const w = 1 / (1 + d2);
        z += m * w;
        const f = m * w * w;
        for (let a = 0; a < d; a++) out[a]! += f * (Y[i * d + a]! - this.comSum[node * d + a]!);
      } else {
        const c0 = this.child[node]!;
        for (let c = 0; c < this.fan; c++) stack[sp++] = c0 + c;
      }
    }
    return z;
  }

  /** repulsion() for the 2-D quadtree, unrolled. */
  private repulsion2(Y: Float64Array, i: number, theta: number, out: Float64Array, stack: Int32Array): number {
    const t2 = theta * theta;
    const com = this.comSum;
    const count = this.count;
    const child = this.child;
    const half = this.half;
    const x = Y[2 * i]!;
    const y = Y[2 * i + 1]!;
    let fx = 0;
    let fy = 0;
    let z = 0;
    let sp = 0;
    stack[sp++] = 0;
    while (sp > 0) {
      const node = stack[--sp]!;
      const cnt = count[node]!;
      if (cnt === 0) continue;
      const dx = x - com[2 * node]!;
      const dy = y - com[2 * node + 1]!;
      const d2 = dx * dx + dy * dy;
      const c0 = child[node]!;
      const h = half[node]!;
      if (c0 === -1 || 4 * h * h < t2 * d2) {
        const m = c0 === -1 && d2 === 0 ? cnt - 1 : cnt;
        if (m <= 0) continue;
        const w = 1 / (1 + d2);
        z += m * w;
        const f = m * w * w;
        fx += f * dx;
        fy += f * dy;
      } else {
        stack[sp++] = c0;
        stack[sp++] = c0 + 1;
        stack[sp++] = c0 + 2;
        stack[sp++] = c0 + 3;
      }
    }
    out[0]! += fx;
    out[1]! += fy;
    return z;
  }
}
