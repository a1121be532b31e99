// The studio's WebGL2 point renderer (no WebGPU): round antialiased dots for up to millions of points, 2-D pan/zoom
// and 3-D orbit, picking, lasso/box selection, image sprites at high zoom and text labels on an overlay canvas.
// It draws on demand (one requestAnimationFrame per change), never continuously.
import { LatentkitError } from "../../core/errors.js";
import type { CameraState, Coords, Images, PointRendererApi } from "../types.js";
import { Camera, boundsOf, projectAll, type Bounds } from "./camera.js";
import { BASE } from "./palette.js";
import { DOT_FRAGMENT, DOT_VERTEX, SPRITE_FRAGMENT, SPRITE_VERTEX } from "./shaders.js";

const FILE = "src/studio/render/renderer.ts";
const SELECTED = 1, HIGHLIGHTED = 2, HIDDEN = 4;

export interface PointRendererOptions {
  /** Clear colour, straight RGBA in 0…1 (default opaque white). */
  background?: [number, number, number, number];
  /** Multiplies the automatic point size (which shrinks gently as n grows and grows gently with zoom). Default 1. */
  pointSize?: number;
  /** Multiplies the colours' alpha; default automatic: 1 up to 50,000 points, down to 0.5 at 1,000,000. */
  opacity?: number;
  /** Colour of points left out of a selection (straight RGBA, 0…1). Default a faint grey. */
  grey?: [number, number, number, number];
  /** Where labels and the lasso outline are drawn. Default: a canvas the renderer lays over `canvas`. */
  overlay?: HTMLCanvasElement | null;
  /** Mouse/touch/wheel interaction (default true). */
  interactive?: boolean;
  /** Device pixels per CSS pixel (default globalThis.devicePixelRatio). */
  pixelRatio?: number;
  /** CSS pixels around the cursor within which pick() finds a point (default 6). */
  pickRadius?: number;
  /** Sprite size in CSS pixels at the zoom where sprites appear (default 40). */
  spriteSize?: number;
  /** Labels are drawn while the zoom is at most this (default 4). */
  labelMaxZoom?: number;
  /** Keep the drawing buffer after compositing (for tests reading pixels later; costs speed). Default false. */
  preserveDrawingBuffer?: boolean;
}

interface Atlas {
  texture: WebGLTexture;
  width: number;
  height: number;
  cols: number;
  perLayer: number;
  layers: number;
  cellW: number;
  cellH: number;
}

interface Grid {
  cell: number;
  gw: number;
  gh: number;
  start: Int32Array;
  items: Int32Array;
}

type Uniforms = Record<string, WebGLUniformLocation | null>;

function compile(gl: WebGL2RenderingContext, vs: string, fs: string, what: string): WebGLProgram {
  const shader = (type: number, src: string): WebGLShader => {
    const s = gl.createShader(type)!;
    gl.shaderSource(s, src);
    gl.compileShader(s);
    if (!gl.getShaderParameter(s, gl.COMPILE_STATUS) && !gl.isContextLost()) {
      throw new LatentkitError(`the ${what} shader does not compile: ${gl.getShaderInfoLog(s)} (${FILE})`);
    }
    return s;
  };
  const p = gl.createProgram()!;
  const v = shader(gl.VERTEX_SHADER, vs), f = shader(gl.FRAGMENT_SHADER, fs);
  gl.attachShader(p, v);
  gl.attachShader(p, f);
  gl.linkProgram(p);
  if (!gl.getProgramParameter(p, gl.LINK_STATUS) && !gl.isContextLost()) {
    throw new LatentkitError(`the ${what} program does not link: ${gl.getProgramInfoLog(p)} (${FILE})`);
  }
  gl.deleteShader(v);
  gl.deleteShader(f);
  return p;
}

function uniforms(gl: WebGL2RenderingContext, p: WebGLProgram): Uniforms {
  const u: Uniforms = {};
  const count = gl.getProgramParameter(p, gl.ACTIVE_UNIFORMS) as number;
  for (let i = 0; i < count; i++) {
    const info = gl.getActiveUniform(p, i);
    if (info) u[info.name] = gl.getUniformLocation(p, info.name);
  }
  return u;
}

/** Point-in-polygon by the crossing rule, over the points whose projection lies in the polygon's bounding box. */
function insidePolygon(
  sx: Float32Array, sy: Float32Array, flags: Uint8Array, polygon: [number, number][], out: Uint8Array,
): void {
  const m = polygon.length;
  if (m < 3) return;
  const px = new Float64Array(m), py = new Float64Array(m);
  let x0 = Infinity, y0 = Infinity, x1 = -Infinity, y1 = -Infinity;
  for (let k = 0; k < m; k++) {
    const p = polygon[k]!;
    px[k] = p[0];
    py[k] = p[1];
    x0 = Math.min(x0, p[0]); x1 = Math.max(x1, p[0]);
    y0 = Math.min(y0, p[1]); y1 = Math.max(y1, p[1]);
  }
  const n = sx.length;
  for (let i = 0; i < n; i++) {
    const x = sx[i]!, y = sy[i]!;
    if (!(x >= x0 && x <= x1 && y >= y0 && y <= y1) || (flags[i]! & HIDDEN) !== 0) continue;
    let inside = false;
    for (let a = 0, b = m - 1; a < m; b = a++) {
      const ya = py[a]!, yb = py[b]!;
      if ((ya > y) !== (yb > y) && x < ((px[b]! - px[a]!) * (y - ya)) / (yb - ya) + px[a]!) inside = !inside;
    }
    if (inside) out[i] = 1;
  }
}

/**
 * A WebGL2 point renderer for the studio.
 *
 * `new PointRenderer(canvas, n, opts?)` takes the canvas to draw on (sized by CSS; the renderer sets its drawing
 * buffer to CSS size × devicePixelRatio and follows it with a ResizeObserver), the number of points n (fixed for
 * the renderer's life: every array passed later has n rows) and options (PointRendererOptions). It throws a
 * LatentkitError when the browser has no WebGL2. Nothing is drawn until setPositions(); colours default to one blue.
 * The renderer keeps a reference to the position array it was given (for picking and selection): pass a new array,
 * or call setPositions again, after changing it.
 */
export class PointRenderer implements PointRendererApi {
  readonly n: number;
  readonly canvas: HTMLCanvasElement;
  onHover?: (i: number, x: number, y: number) => void;
  onClick?: (i: number, x: number, y: number, shift: boolean) => void;
  onCameraChange?: (c: CameraState) => void;
  onSelect?: (mask: Uint8Array, add: boolean) => void;

  private readonly gl: WebGL2RenderingContext;
  private readonly opts: PointRendererOptions;
  private readonly camera = new Camera();
  private readonly dotProgram: WebGLProgram;
  private readonly dotU: Uniforms;
  private readonly spriteProgram: WebGLProgram;
  private readonly spriteU: Uniforms;
  private readonly vao: WebGLVertexArrayObject;
  private readonly vaoHi: WebGLVertexArrayObject;
  private readonly posBuf: WebGLBuffer;
  private readonly colorBuf: WebGLBuffer;
  private readonly flagBuf: WebGLBuffer;
  private readonly hiBuf: WebGLBuffer;
  private readonly maxPointSize: number;
  private readonly overlay: HTMLCanvasElement | null;
  private readonly ownOverlay: boolean;
  private readonly observer: ResizeObserver | null = null;
  private readonly cleanup: (() => void)[] = [];

  private positions: Float32Array | null = null;
  private dims: 2 | 3 = 2;
  private posBytes = 0;
  private readonly flags: Uint8Array;
  private selecting = false;
  private hiCount = 0;
  private focus = -1;
  private atlas: Atlas | null = null;
  private labels: { text: string; position: [number, number, number] }[] = [];
  private tool: "navigate" | "lasso" | "box" = "navigate";
  private polygon: [number, number][] | null = null;

  private raf = 0;
  private frames = 0;
  private lastFrameMs = 0;
  private dpr = 1;
  private spriteMode = false;

  // screen-space projection of every point and a grid over it, rebuilt lazily after the view changes
  private proj: { sx: Float32Array; sy: Float32Array; depth: Float32Array } | null = null;
  private projValid = false;
  private grid: Grid | null = null;
  private destroyed = false;

  constructor(canvas: HTMLCanvasElement, n: number, opts: PointRendererOptions = {}) {
    if (!Number.isInteger(n) || n < 0) throw new LatentkitError(`number of points must be a non-negative integer, got ${n} (${FILE})`);
    this.n = n;
    this.canvas = canvas;
    this.opts = opts;
    const gl = canvas.getContext("webgl2", {
      antialias: false, alpha: true, premultipliedAlpha: true, depth: true,
      preserveDrawingBuffer: opts.preserveDrawingBuffer ?? false, powerPreference: "high-performance",
    });
    if (!gl) throw new LatentkitError(`this browser gives no WebGL2 context: the studio's point renderer needs WebGL2 (${FILE})`);
    this.gl = gl;
    this.dotProgram = compile(gl, DOT_VERTEX, DOT_FRAGMENT, "dot");
    this.dotU = uniforms(gl, this.dotProgram);
    this.spriteProgram = compile(gl, SPRITE_VERTEX, SPRITE_FRAGMENT, "sprite");
    this.spriteU = uniforms(gl, this.spriteProgram);
    const range = gl.getParameter(gl.ALIASED_POINT_SIZE_RANGE) as Float32Array | null;
    this.maxPointSize = range ? range[1]! : 64;

    this.posBuf = gl.createBuffer()!;
    this.colorBuf = gl.createBuffer()!;
    this.flagBuf = gl.createBuffer()!;
    this.hiBuf = gl.createBuffer()!;
    this.flags = new Uint8Array(n);
    const colors = new Uint8Array(n * 4);
    for (let i = 0; i < n; i++) colors.set(BASE[0]!, i * 4);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuf);
    gl.bufferData(gl.ARRAY_BUFFER, colors, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.flagBuf);
    gl.bufferData(gl.ARRAY_BUFFER, this.flags, gl.DYNAMIC_DRAW);
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
    gl.bufferData(gl.ARRAY_BUFFER, Math.max(4, n * 8), gl.DYNAMIC_DRAW);
    this.posBytes = n * 8;

    const makeVao = (withIndices: boolean): WebGLVertexArrayObject => {
      const vao = gl.createVertexArray()!;
      gl.bindVertexArray(vao);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
      gl.enableVertexAttribArray(0);
      gl.vertexAttribPointer(0, 2, gl.FLOAT, false, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuf);
      gl.enableVertexAttribArray(1);
      gl.vertexAttribPointer(1, 4, gl.UNSIGNED_BYTE, true, 0, 0);
      gl.bindBuffer(gl.ARRAY_BUFFER, this.flagBuf);
      gl.enableVertexAttribArray(2);
      gl.vertexAttribIPointer(2, 1, gl.UNSIGNED_BYTE, 0, 0);
      if (withIndices) gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.hiBuf);
      gl.bindVertexArray(null);
      return vao;
    };
    this.vao = makeVao(false);
    this.vaoHi = makeVao(true);

    if (opts.overlay !== undefined && opts.overlay !== null) {
      this.overlay = opts.overlay;
      this.ownOverlay = false;
    } else if (opts.overlay === null || !canvas.parentElement) {
      this.overlay = null;
      this.ownOverlay = false;
    } else {
      const o = document.createElement("canvas");
      o.style.position = "absolute";
      o.style.pointerEvents = "none";
      canvas.insertAdjacentElement("afterend", o);
      this.overlay = o;
      this.ownOverlay = true;
    }

    const onLost = (e: Event): void => e.preventDefault();
    canvas.addEventListener("webglcontextlost", onLost);
    this.cleanup.push(() => canvas.removeEventListener("webglcontextlost", onLost));
    if (typeof ResizeObserver !== "undefined") {
      this.observer = new ResizeObserver(() => {
        if (this.resize()) this.requestDraw();
      });
      this.observer.observe(canvas);
    }
    this.resize();
    if (opts.interactive ?? true) this.listen();
  }

  // ---- data ----

  setPositions(coords: Coords, fit = false): void {
    const { dims, values } = coords;
    if (dims !== 2 && dims !== 3) throw new LatentkitError(`positions must have 2 or 3 dimensions, got ${dims} (${FILE})`);
    if (values.length !== this.n * dims) {
      throw new LatentkitError(`positions hold ${values.length} numbers; ${this.n} points × ${dims} dimensions need ${this.n * dims} (${FILE})`);
    }
    const gl = this.gl;
    const first = this.positions === null;
    const dimsChanged = dims !== this.dims;
    this.positions = values;
    this.dims = dims;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
    if (values.byteLength === this.posBytes && values.byteLength > 0) gl.bufferSubData(gl.ARRAY_BUFFER, 0, values);
    else {
      gl.bufferData(gl.ARRAY_BUFFER, values.byteLength > 0 ? values : new Float32Array(1), gl.DYNAMIC_DRAW);
      this.posBytes = values.byteLength;
    }
    if (dimsChanged || first) {
      for (const vao of [this.vao, this.vaoHi]) {
        gl.bindVertexArray(vao);
        gl.bindBuffer(gl.ARRAY_BUFFER, this.posBuf);
        gl.vertexAttribPointer(0, dims, gl.FLOAT, false, 0, 0);
      }
      gl.bindVertexArray(null);
    }
    if (first || fit || dimsChanged) this.camera.fit(this.dataBounds(), dims === 3 ? "3d" : "2d");
    this.viewChanged(false);
  }

  private dataBounds(): Bounds {
    if (!this.positions) return { min: [-1, -1, -1], max: [1, 1, 1] };
    return boundsOf(this.positions, this.dims);
  }

  setColors(rgba: Uint8Array): void {
    if (rgba.length !== this.n * 4) throw new LatentkitError(`colours hold ${rgba.length} bytes; ${this.n} points need ${this.n * 4} (RGBA) (${FILE})`);
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.colorBuf);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, rgba);
    this.requestDraw();
  }

  private uploadFlags(): void {
    const gl = this.gl;
    gl.bindBuffer(gl.ARRAY_BUFFER, this.flagBuf);
    gl.bufferSubData(gl.ARRAY_BUFFER, 0, this.flags);
  }

  private checkMask(mask: Uint8Array, what: string): void {
    if (mask.length !== this.n) throw new LatentkitError(`${what} mask has ${mask.length} entries; it needs one per point (${this.n}) (${FILE})`);
  }

  setSelection(mask: Uint8Array | null): void {
    if (mask) this.checkMask(mask, "selection");
    const f = this.flags;
    if (mask) for (let i = 0; i < this.n; i++) f[i] = mask[i] ? f[i]! | SELECTED : f[i]! & ~SELECTED;
    else for (let i = 0; i < this.n; i++) f[i] = f[i]! & ~SELECTED;
    this.selecting = mask !== null;
    this.uploadFlags();
    this.requestDraw();
  }

  setHighlight(indices: Int32Array | null, focus?: number): void {
    const f = this.flags;
    for (let i = 0; i < this.n; i++) f[i] = f[i]! & ~HIGHLIGHTED;
    const list: number[] = [];
    if (indices) {
      for (const i of indices) {
        if (!Number.isInteger(i) || i < 0 || i >= this.n) throw new LatentkitError(`highlight index ${i} is not a point (0…${this.n - 1}) (${FILE})`);
        if (f[i]! & HIGHLIGHTED) continue;
        f[i] = f[i]! | HIGHLIGHTED;
        list.push(i);
      }
    }
    this.focus = focus !== undefined && focus >= 0 && focus < this.n ? focus : -1;
    if (this.focus >= 0 && !(f[this.focus]! & HIGHLIGHTED)) {
      f[this.focus] = f[this.focus]! | HIGHLIGHTED;
      list.push(this.focus);
    }
    // the focus point last, so it is drawn on top of the other highlighted points
    if (this.focus >= 0) {
      const k = list.indexOf(this.focus);
      list.splice(k, 1);
      list.push(this.focus);
    }
    const gl = this.gl;
    gl.bindVertexArray(null);
    gl.bindBuffer(gl.ELEMENT_ARRAY_BUFFER, this.hiBuf);
    gl.bufferData(gl.ELEMENT_ARRAY_BUFFER, Uint32Array.from(list), gl.DYNAMIC_DRAW);
    this.hiCount = list.length;
    this.uploadFlags();
    this.requestDraw();
  }

  setVisible(mask: Uint8Array | null): void {
    if (mask) this.checkMask(mask, "visibility");
    const f = this.flags;
    if (mask) for (let i = 0; i < this.n; i++) f[i] = mask[i] ? f[i]! & ~HIDDEN : f[i]! | HIDDEN;
    else for (let i = 0; i < this.n; i++) f[i] = f[i]! & ~HIDDEN;
    this.uploadFlags();
    this.grid = null;
    this.requestDraw();
  }

  /**
   * Uploads the thumbnails into a texture atlas: a 2-D texture array of R8 layers (each at most MAX_TEXTURE_SIZE or
   * 4096 texels square). 70,000 images of 28 × 28 take 4 layers of 4088 × 4088.
   */
  setImages(images: Images | null): void {
    const gl = this.gl;
    if (this.atlas) {
      gl.deleteTexture(this.atlas.texture);
      this.atlas = null;
    }
    if (!images) {
      this.requestDraw();
      return;
    }
    const { width: w, height: h, pixels } = images;
    if (!Number.isInteger(w) || !Number.isInteger(h) || w < 1 || h < 1) throw new LatentkitError(`image size must be positive integers, got ${w} x ${h} (${FILE})`);
    if (pixels.length !== this.n * w * h) {
      throw new LatentkitError(`images hold ${pixels.length} bytes; ${this.n} images of ${w} x ${h} need ${this.n * w * h} (${FILE})`);
    }
    const maxSide = Math.min(gl.getParameter(gl.MAX_TEXTURE_SIZE) as number, 4096);
    const maxLayers = gl.getParameter(gl.MAX_ARRAY_TEXTURE_LAYERS) as number;
    if (w > maxSide || h > maxSide) throw new LatentkitError(`images of ${w} x ${h} do not fit a ${maxSide} texture (${FILE})`);
    let cols = Math.floor(maxSide / w), rows = Math.floor(maxSide / h);
    if (this.n <= cols * rows) {
      // one layer, no bigger than needed
      cols = Math.min(cols, Math.max(1, Math.ceil(Math.sqrt((this.n * h) / w))));
      rows = Math.max(1, Math.ceil(this.n / cols));
    }
    const perLayer = cols * rows;
    const layers = Math.max(1, Math.ceil(this.n / perLayer));
    if (layers > maxLayers) throw new LatentkitError(`${this.n} images of ${w} x ${h} need ${layers} atlas layers; this GPU has ${maxLayers} (${FILE})`);
    const W = cols * w, H = rows * h;
    const texture = gl.createTexture()!;
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, texture);
    gl.texStorage3D(gl.TEXTURE_2D_ARRAY, 1, gl.R8, W, H, layers);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MIN_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_MAG_FILTER, gl.LINEAR);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_WRAP_S, gl.CLAMP_TO_EDGE);
    gl.texParameteri(gl.TEXTURE_2D_ARRAY, gl.TEXTURE_WRAP_T, gl.CLAMP_TO_EDGE);
    gl.pixelStorei(gl.UNPACK_ALIGNMENT, 1);
    const layer = new Uint8Array(W * H);
    for (let L = 0; L < layers; L++) {
      layer.fill(0);
      const first = L * perLayer, last = Math.min(this.n, first + perLayer);
      for (let i = first; i < last; i++) {
        const rem = i - first, r = Math.floor(rem / cols), c = rem - r * cols;
        for (let y = 0; y < h; y++) {
          const src = (i * h + y) * w;
          layer.set(pixels.subarray(src, src + w), (r * h + y) * W + c * w);
        }
      }
      gl.texSubImage3D(gl.TEXTURE_2D_ARRAY, 0, 0, 0, L, W, H, 1, gl.RED, gl.UNSIGNED_BYTE, layer);
    }
    gl.bindTexture(gl.TEXTURE_2D_ARRAY, null);
    this.atlas = { texture, width: W, height: H, cols, perLayer, layers, cellW: w, cellH: h };
    this.requestDraw();
  }

  /** The atlas layout (for tests and the app's status line), or null without images. */
  atlasInfo(): { width: number; height: number; layers: number; perLayer: number } | null {
    const a = this.atlas;
    return a ? { width: a.width, height: a.height, layers: a.layers, perLayer: a.perLayer } : null;
  }

  setLabels(labels: { text: string; position: [number, number, number] }[]): void {
    this.labels = labels.slice();
    this.requestDraw();
  }

  // ---- camera ----

  getCamera(): CameraState {
    return this.camera.getState();
  }

  /** Restores a view (the URL's); does not call onCameraChange. */
  setCamera(c: Partial<CameraState>): void {
    this.camera.setState(c);
    this.viewChanged(false);
  }

  /** Frames the data (the visible points) again. */
  fitView(): void {
    const visible = this.flags.some((f) => (f & HIDDEN) !== 0) ? this.flags.map((f) => ((f & HIDDEN) !== 0 ? 0 : 1)) : null;
    if (this.positions) this.camera.fit(boundsOf(this.positions, this.dims, visible));
    this.viewChanged(true);
  }

  private viewChanged(notify: boolean): void {
    this.projValid = false;
    this.grid = null;
    this.requestDraw();
    if (notify) this.onCameraChange?.(this.camera.getState());
  }

  /** Checks the canvas's CSS size and device pixel ratio; true when the drawing buffer changed. */
  private resize(): boolean {
    const cssW = Math.max(1, this.canvas.clientWidth || this.canvas.width), cssH = Math.max(1, this.canvas.clientHeight || this.canvas.height);
    const dpr = this.opts.pixelRatio ?? (globalThis.devicePixelRatio || 1);
    const W = Math.max(1, Math.round(cssW * dpr)), H = Math.max(1, Math.round(cssH * dpr));
    const cam = this.camera;
    const changed = this.canvas.width !== W || this.canvas.height !== H || cam.width !== cssW || cam.height !== cssH || this.dpr !== dpr;
    if (!changed) return false;
    this.dpr = dpr;
    this.canvas.width = W;
    this.canvas.height = H;
    cam.setViewport(cssW, cssH);
    if (this.overlay) {
      this.overlay.width = W;
      this.overlay.height = H;
      if (this.ownOverlay) {
        this.overlay.style.left = `${this.canvas.offsetLeft + this.canvas.clientLeft}px`;
        this.overlay.style.top = `${this.canvas.offsetTop + this.canvas.clientTop}px`;
        this.overlay.style.width = `${cssW}px`;
        this.overlay.style.height = `${cssH}px`;
      }
    }
    this.projValid = false;
    this.grid = null;
    return true;
  }

  // ---- drawing ----

  /** Schedules one draw on the next animation frame (several changes in a frame make one draw). */
  requestDraw(): void {
    if (this.raf || this.destroyed) return;
    if (typeof requestAnimationFrame === "undefined") return;
    this.raf = requestAnimationFrame(() => {
      this.raf = 0;
      this.draw();
    });
  }

  /** Point diameter in CSS pixels at the current zoom. */
  pointSize(): number {
    const base = Math.min(7, Math.max(1.5, 2.2 * (100000 / Math.max(1, this.n)) ** 0.25)) * (this.opts.pointSize ?? 1);
    return Math.min(base * Math.sqrt(Math.max(this.camera.zoom, 1 / 16)), Math.max(base, 48));
  }

  private opacity(): number {
    if (this.opts.opacity !== undefined) return this.opts.opacity;
    if (this.n <= 50000) return 1;
    return Math.max(0.5, 1 - 0.17 * Math.log2(this.n / 50000));
  }

  private spriteSizeCss(): number {
    const s = this.opts.spriteSize ?? 40;
    return s;
  }

  /** Whether sprites are drawn now: images are set and the points in view are far enough apart for them. */
  private wantSprites(): boolean {
    if (!this.atlas || !this.positions || this.n === 0) return false;
    // estimate the points in view from a sample of at most 4096
    const cam = this.camera, m = cam.viewProjection();
    const stride = Math.max(1, Math.ceil(this.n / 4096));
    let seen = 0, inView = 0;
    const v = this.positions, d = this.dims;
    for (let i = 0; i < this.n; i += stride) {
      if (this.flags[i]! & HIDDEN) continue;
      seen++;
      const p = cam.project(v[i * d]!, v[i * d + 1]!, d === 3 ? v[i * d + 2]! : 0, m);
      if (p && p[0] >= 0 && p[0] <= cam.width && p[1] >= 0 && p[1] <= cam.height) inView++;
    }
    if (seen === 0) return false;
    const s = this.spriteSizeCss();
    const estimate = (inView * this.n) / Math.ceil(this.n / stride);
    return estimate * s * s < 0.35 * cam.width * cam.height;
  }

  draw(): void {
    if (this.destroyed) return;
    const t0 = performance.now();
    if (this.raf) {
      cancelAnimationFrame(this.raf);
      this.raf = 0;
    }
    this.resize();
    const gl = this.gl;
    gl.viewport(0, 0, this.canvas.width, this.canvas.height);
    const bg = this.opts.background ?? [1, 1, 1, 1];
    gl.clearColor(bg[0] * bg[3], bg[1] * bg[3], bg[2] * bg[3], bg[3]);
    gl.clearDepth(1);
    gl.depthMask(true);
    gl.clear(gl.COLOR_BUFFER_BIT | gl.DEPTH_BUFFER_BIT);
    this.spriteMode = this.wantSprites();
    if (this.positions && this.n > 0) {
      const cam = this.camera;
      const three = cam.mode === "3d";
      gl.enable(gl.BLEND);
      gl.blendFunc(gl.ONE, gl.ONE_MINUS_SRC_ALPHA);
      const program = this.spriteMode ? this.spriteProgram : this.dotProgram;
      const u = this.spriteMode ? this.spriteU : this.dotU;
      gl.useProgram(program);
      const m = cam.viewProjection();
      gl.uniformMatrix4fv(u.uMatrix!, false, Float32Array.from(m));
      const dpr = this.dpr;
      const size = (this.spriteMode ? this.spriteSizeCss() * Math.min(2, Math.max(1, Math.sqrt(cam.zoom / 8))) : this.pointSize()) * dpr;
      gl.uniform1f(u.uSize!, size);
      gl.uniform1f(u.uPersp!, three ? 1 : 0);
      gl.uniform1f(u.uRefDepth!, three ? cam.distance() : 1);
      const grey = this.opts.grey ?? [0.62, 0.62, 0.62, 0.3];
      gl.uniform4f(u.uGrey!, grey[0], grey[1], grey[2], grey[3]);
      gl.uniform1f(u.uOpacity!, this.opacity());
      gl.uniform1f(u.uMaxSize!, this.maxPointSize);
      gl.uniform1f(u.uHiScale!, this.spriteMode ? 1.15 : 1.6);
      gl.uniform1f(u.uHiExtra!, this.spriteMode ? 0 : 4 * dpr);
      gl.uniform1i(u.uFocus!, this.focus);
      gl.uniform4f(u.uOutline!, 0.1, 0.1, 0.1, 1);
      gl.uniform4f(u.uFocusColor!, 1, 0.35, 0, 1);
      gl.uniform1f(u.uRing!, 1.5 * dpr);
      if (this.spriteMode && this.atlas) {
        const a = this.atlas;
        gl.activeTexture(gl.TEXTURE0);
        gl.bindTexture(gl.TEXTURE_2D_ARRAY, a.texture);
        gl.uniform1i(u.uAtlas!, 0);
        gl.uniform1i(u.uCols!, a.cols);
        gl.uniform1i(u.uPerLayer!, a.perLayer);
        gl.uniform2f(u.uCellSize!, a.cellW, a.cellH);
        gl.uniform2f(u.uAtlasSize!, a.width, a.height);
        gl.uniform1f(u.uBorder!, 1.5 * dpr);
      }
      gl.bindVertexArray(this.vao);
      const pass = (p: number, depthWrite: boolean): void => {
        gl.uniform1i(u.uPass!, p);
        gl.uniform1f(u.uCutoff!, three && depthWrite ? (this.spriteMode ? 0.01 : 0.35) : 0.002);
        gl.depthMask(depthWrite);
        gl.drawArrays(gl.POINTS, 0, this.n);
      };
      if (three) {
        gl.enable(gl.DEPTH_TEST);
        gl.depthFunc(gl.LEQUAL);
        if (this.selecting) {
          pass(2, true);
          pass(1, false);
        } else pass(0, true);
      } else {
        gl.disable(gl.DEPTH_TEST);
        if (this.selecting) {
          pass(1, false);
          pass(2, false);
        } else pass(0, false);
      }
      if (this.hiCount > 0) {
        // highlighted points on top of everything, bigger and outlined
        gl.disable(gl.DEPTH_TEST);
        gl.bindVertexArray(this.vaoHi);
        gl.uniform1i(u.uPass!, 3);
        gl.uniform1f(u.uCutoff!, 0.002);
        gl.drawElements(gl.POINTS, this.hiCount, gl.UNSIGNED_INT, 0);
      }
      gl.bindVertexArray(null);
      gl.depthMask(true);
    }
    this.drawOverlay();
    this.frames++;
    this.lastFrameMs = performance.now() - t0;
  }

  private drawOverlay(): void {
    const o = this.overlay;
    if (!o) return;
    const ctx = o.getContext("2d");
    if (!ctx) return;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.clearRect(0, 0, o.width, o.height);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const cam = this.camera;
    if (this.labels.length > 0 && !this.spriteMode && cam.zoom <= (this.opts.labelMaxZoom ?? 4)) {
      const m = cam.viewProjection();
      ctx.font = "600 13px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      ctx.lineJoin = "round";
      ctx.lineWidth = 3;
      ctx.strokeStyle = "rgba(255,255,255,0.85)";
      ctx.fillStyle = "#222";
      for (const l of this.labels) {
        const p = cam.project(l.position[0], l.position[1], l.position[2], m);
        if (!p || p[0] < -50 || p[1] < -20 || p[0] > cam.width + 50 || p[1] > cam.height + 20) continue;
        ctx.strokeText(l.text, p[0], p[1]);
        ctx.fillText(l.text, p[0], p[1]);
      }
    }
    const poly = this.polygon;
    if (poly && poly.length > 1) {
      ctx.beginPath();
      ctx.moveTo(poly[0]![0], poly[0]![1]);
      for (const p of poly.slice(1)) ctx.lineTo(p[0], p[1]);
      ctx.closePath();
      ctx.fillStyle = "rgba(30,120,220,0.08)";
      ctx.fill();
      ctx.setLineDash([5, 4]);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = "rgba(20,90,200,0.9)";
      ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  stats(): { frames: number; lastFrameMs: number } {
    return { frames: this.frames, lastFrameMs: this.lastFrameMs };
  }

  /** True while points are drawn as their images. */
  spritesShown(): boolean {
    return this.spriteMode;
  }

  // ---- picking and selection ----

  private projection(): { sx: Float32Array; sy: Float32Array; depth: Float32Array } | null {
    if (!this.positions) return null;
    this.resize();
    if (!this.projValid || !this.proj) {
      this.proj = projectAll(this.camera, this.positions, this.dims, this.proj ?? undefined);
      this.projValid = true;
    }
    return this.proj;
  }

  private buildGrid(): Grid | null {
    const proj = this.projection();
    if (!proj) return null;
    if (this.grid) return this.grid;
    const cam = this.camera;
    const cell = 16;
    const gw = Math.max(1, Math.ceil(cam.width / cell) + 2), gh = Math.max(1, Math.ceil(cam.height / cell) + 2);
    const { sx, sy } = proj;
    const n = this.n;
    const cellOf = new Int32Array(n);
    const start = new Int32Array(gw * gh + 1);
    for (let i = 0; i < n; i++) {
      // one cell of margin around the view, so points just outside can still be picked at the edge
      const cx = Math.floor(sx[i]! / cell) + 1, cy = Math.floor(sy[i]! / cell) + 1;
      if (!(cx >= 0 && cx < gw && cy >= 0 && cy < gh) || (this.flags[i]! & HIDDEN) !== 0) {
        cellOf[i] = -1;
        continue;
      }
      const c = cy * gw + cx;
      cellOf[i] = c;
      start[c + 1]!++;
    }
    for (let c = 0; c < gw * gh; c++) start[c + 1]! += start[c]!;
    const items = new Int32Array(start[gw * gh]!);
    const fill = start.slice(0, gw * gh);
    for (let i = 0; i < n; i++) {
      const c = cellOf[i]!;
      if (c >= 0) items[fill[c]!++] = i;
    }
    this.grid = { cell, gw, gh, start, items };
    return this.grid;
  }

  pick(x: number, y: number): number {
    const grid = this.buildGrid();
    const proj = this.proj;
    if (!grid || !proj) return -1;
    const drawnR = (this.spriteMode ? this.spriteSizeCss() : this.pointSize()) / 2;
    const r = Math.max(this.opts.pickRadius ?? 6, drawnR);
    const { cell, gw, gh, start, items } = grid;
    const c0 = Math.max(0, Math.floor((x - r) / cell) + 1), c1 = Math.min(gw - 1, Math.floor((x + r) / cell) + 1);
    const r0 = Math.max(0, Math.floor((y - r) / cell) + 1), r1 = Math.min(gh - 1, Math.floor((y + r) / cell) + 1);
    const three = this.camera.mode === "3d";
    let best = -1, bestD = r * r, cover = -1, coverDepth = Infinity;
    const coverR2 = (drawnR + 1) * (drawnR + 1);
    for (let cy = r0; cy <= r1; cy++) {
      for (let cx = c0; cx <= c1; cx++) {
        const c = cy * gw + cx;
        for (let k = start[c]!; k < start[c + 1]!; k++) {
          const i = items[k]!;
          const dx = proj.sx[i]! - x, dy = proj.sy[i]! - y, d = dx * dx + dy * dy;
          // 2-D: the nearest; ties go to the later point (drawn on top)
          if (d < bestD || (d === bestD && i > best)) { bestD = d; best = i; }
          // 3-D: of the points whose disc covers the cursor, the one in front
          if (three && d <= coverR2 && proj.depth[i]! < coverDepth) { coverDepth = proj.depth[i]!; cover = i; }
        }
      }
    }
    return three && cover >= 0 ? cover : best;
  }

  selectPolygon(polygon: [number, number][]): Uint8Array {
    const mask = new Uint8Array(this.n);
    const proj = this.projection();
    if (!proj || polygon.length < 3) return mask;
    insidePolygon(proj.sx, proj.sy, this.flags, polygon, mask);
    return mask;
  }

  project(i: number): [number, number] | null {
    if (!this.positions || !Number.isInteger(i) || i < 0 || i >= this.n || (this.flags[i]! & HIDDEN) !== 0) return null;
    this.resize();
    const v = this.positions, d = this.dims;
    const p = this.camera.project(v[i * d]!, v[i * d + 1]!, d === 3 ? v[i * d + 2]! : 0);
    return p && Number.isFinite(p[0]) && Number.isFinite(p[1]) ? [p[0], p[1]] : null;
  }

  setTool(tool: "navigate" | "lasso" | "box"): void {
    if (tool !== "navigate" && tool !== "lasso" && tool !== "box") throw new LatentkitError(`tool must be "navigate", "lasso" or "box", got ${JSON.stringify(tool)} (${FILE})`);
    this.tool = tool;
    this.polygon = null;
    this.canvas.style.cursor = tool === "navigate" ? "" : "crosshair";
    this.requestDraw();
  }

  // ---- interaction ----

  private listen(): void {
    const c = this.canvas;
    const pointers = new Map<number, { x: number; y: number }>();
    let drag: { id: number; x0: number; y0: number; x: number; y: number; mode: "pan" | "orbit" | "lasso" | "box"; moved: boolean; shift: boolean } | null = null;
    let pinch: { d: number; mx: number; my: number } | null = null;
    let hover = -1;
    const pos = (e: PointerEvent | WheelEvent | MouseEvent): [number, number] => {
      const r = c.getBoundingClientRect();
      return [e.clientX - r.left - c.clientLeft, e.clientY - r.top - c.clientTop];
    };
    const two = (): [{ x: number; y: number }, { x: number; y: number }] => {
      const [a, b] = [...pointers.values()];
      return [a!, b!];
    };
    const down = (e: PointerEvent): void => {
      const [x, y] = pos(e);
      pointers.set(e.pointerId, { x, y });
      c.setPointerCapture?.(e.pointerId);
      if (pointers.size === 2) {
        // a second finger: pinch zoom, two-finger pan
        drag = null;
        this.polygon = null;
        const [a, b] = two();
        pinch = { d: Math.hypot(a.x - b.x, a.y - b.y), mx: (a.x + b.x) / 2, my: (a.y + b.y) / 2 };
        return;
      }
      if (pointers.size > 2) return;
      const shift = e.shiftKey;
      let mode: "pan" | "orbit" | "lasso" | "box";
      if (this.tool !== "navigate" && e.button === 0) mode = this.tool;
      else if (this.camera.mode === "3d" && e.button === 0 && !shift) mode = "orbit";
      else mode = "pan";
      drag = { id: e.pointerId, x0: x, y0: y, x, y, mode, moved: false, shift };
      if (mode === "lasso" || mode === "box") this.polygon = [[x, y]];
      e.preventDefault();
    };
    const move = (e: PointerEvent): void => {
      const [x, y] = pos(e);
      if (pointers.has(e.pointerId)) pointers.set(e.pointerId, { x, y });
      if (pinch && pointers.size === 2) {
        const [a, b] = two();
        const d = Math.hypot(a.x - b.x, a.y - b.y), mx = (a.x + b.x) / 2, my = (a.y + b.y) / 2;
        this.camera.pan(mx - pinch.mx, my - pinch.my);
        if (pinch.d > 0 && d > 0) this.camera.zoomAt(d / pinch.d, mx, my);
        pinch = { d, mx, my };
        this.viewChanged(true);
        return;
      }
      if (drag && drag.id === e.pointerId) {
        const dx = x - drag.x, dy = y - drag.y;
        drag.x = x;
        drag.y = y;
        if (Math.hypot(x - drag.x0, y - drag.y0) > 3) drag.moved = true;
        if (drag.mode === "pan") {
          this.camera.pan(dx, dy);
          this.viewChanged(true);
        } else if (drag.mode === "orbit") {
          this.camera.orbit(dx, dy);
          this.viewChanged(true);
        } else if (drag.mode === "lasso") {
          const last = this.polygon![this.polygon!.length - 1]!;
          if (Math.hypot(x - last[0], y - last[1]) >= 2) this.polygon!.push([x, y]);
          this.requestDraw();
        } else {
          const { x0, y0 } = drag;
          this.polygon = [[x0, y0], [x, y0], [x, y], [x0, y]];
          this.requestDraw();
        }
        return;
      }
      if (pointers.size === 0 && this.onHover) {
        const i = this.pick(x, y);
        if (i !== hover || i >= 0) this.onHover(i, x, y);
        hover = i;
      }
    };
    const up = (e: PointerEvent): void => {
      pointers.delete(e.pointerId);
      c.releasePointerCapture?.(e.pointerId);
      if (pinch) {
        if (pointers.size < 2) pinch = null;
        return;
      }
      const d = drag;
      if (!d || d.id !== e.pointerId) return;
      drag = null;
      const [x, y] = pos(e);
      if (d.mode === "lasso" || d.mode === "box") {
        const poly = this.polygon;
        this.polygon = null;
        this.requestDraw();
        if (poly && poly.length >= 3 && d.moved) this.onSelect?.(this.selectPolygon(poly), d.shift || e.shiftKey);
        else if (!d.moved) this.onClick?.(this.pick(x, y), x, y, e.shiftKey);
        return;
      }
      if (!d.moved && e.type === "pointerup") this.onClick?.(this.pick(x, y), x, y, e.shiftKey);
    };
    const wheel = (e: WheelEvent): void => {
      e.preventDefault();
      const [x, y] = pos(e);
      const unit = e.deltaMode === 1 ? 40 : e.deltaMode === 2 ? 800 : 1;
      const dy = Math.max(-600, Math.min(600, e.deltaY * unit));
      this.camera.zoomAt(Math.exp(-dy * 0.0015), x, y);
      this.viewChanged(true);
    };
    const leave = (): void => {
      if (hover !== -1 || this.onHover) this.onHover?.(-1, -1, -1);
      hover = -1;
    };
    const menu = (e: Event): void => e.preventDefault();
    c.style.touchAction = "none";
    c.addEventListener("pointerdown", down);
    c.addEventListener("pointermove", move);
    c.addEventListener("pointerup", up);
    c.addEventListener("pointercancel", up);
    c.addEventListener("pointerleave", leave);
    c.addEventListener("wheel", wheel, { passive: false });
    c.addEventListener("contextmenu", menu);
    this.cleanup.push(() => {
      c.removeEventListener("pointerdown", down);
      c.removeEventListener("pointermove", move);
      c.removeEventListener("pointerup", up);
      c.removeEventListener("pointercancel", up);
      c.removeEventListener("pointerleave", leave);
      c.removeEventListener("wheel", wheel);
      c.removeEventListener("contextmenu", menu);
    });
  }

  destroy(): void {
    if (this.destroyed) return;
    this.destroyed = true;
    if (this.raf) cancelAnimationFrame(this.raf);
    this.raf = 0;
    this.observer?.disconnect();
    for (const f of this.cleanup) f();
    const gl = this.gl;
    for (const b of [this.posBuf, this.colorBuf, this.flagBuf, this.hiBuf]) gl.deleteBuffer(b);
    gl.deleteVertexArray(this.vao);
    gl.deleteVertexArray(this.vaoHi);
    gl.deleteProgram(this.dotProgram);
    gl.deleteProgram(this.spriteProgram);
    if (this.atlas) gl.deleteTexture(this.atlas.texture);
    if (this.ownOverlay) this.overlay?.remove();
    this.positions = null;
    this.proj = null;
    this.grid = null;
  }
}
