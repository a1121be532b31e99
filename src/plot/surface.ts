// Drawing surfaces: one small API, two back ends — an anti-aliased RGBA raster (written as PNG) and SVG.
import { hex, type RGB } from "./colors.js";
import { GLYPH_H, GLYPH_W, glyph } from "./font.js";
import { toBase64 } from "../core/bytes.js";
import { encodePNG, storedDeflate, type AsyncDeflate, type Deflate } from "./png.js";

export interface TextStyle {
  /** Cap height in pixels (default 12). */
  size?: number;
  color?: RGB;
  anchor?: "start" | "middle" | "end";
  /** Rotate 90° counter-clockwise (vertical axis titles). */
  vertical?: boolean;
  bold?: boolean;
}

export interface Surface {
  readonly width: number;
  readonly height: number;
  rect(x: number, y: number, w: number, h: number, fill: RGB | null, stroke?: RGB): void;
  circle(cx: number, cy: number, r: number, fill: RGB, alpha?: number): void;
  line(x1: number, y1: number, x2: number, y2: number, color: RGB, width?: number): void;
  /** Text with its baseline-centre at y (vertically centred on y). */
  text(x: number, y: number, s: string, style?: TextStyle): void;
  /** A w x h picture from srcW x srcH values in [0, 1] mapped through `color`, drawn with square pixels. */
  image(x: number, y: number, w: number, h: number, values: ArrayLike<number>, srcW: number, srcH: number, color: (t: number) => RGB): void;
}

export class RasterSurface implements Surface {
  readonly pixels: Uint8ClampedArray;
  constructor(readonly width: number, readonly height: number, background: RGB = [255, 255, 255]) {
    this.pixels = new Uint8ClampedArray(width * height * 4);
    for (let i = 0; i < width * height; i++) {
      this.pixels[i * 4] = background[0];
      this.pixels[i * 4 + 1] = background[1];
      this.pixels[i * 4 + 2] = background[2];
      this.pixels[i * 4 + 3] = 255;
    }
  }

  private blend(x: number, y: number, c: RGB, a: number): void {
    if (x < 0 || y < 0 || x >= this.width || y >= this.height || a <= 0) return;
    const o = (y * this.width + x) * 4;
    const p = this.pixels;
    const b = Math.min(1, a);
    p[o] = p[o]! + (c[0] - p[o]!) * b;
    p[o + 1] = p[o + 1]! + (c[1] - p[o + 1]!) * b;
    p[o + 2] = p[o + 2]! + (c[2] - p[o + 2]!) * b;
  }

  rect(x: number, y: number, w: number, h: number, fill: RGB | null, stroke?: RGB): void {
    const x0 = Math.round(x), y0 = Math.round(y), x1 = Math.round(x + w), y1 = Math.round(y + h);
    if (fill) for (let yy = y0; yy < y1; yy++) for (let xx = x0; xx < x1; xx++) this.blend(xx, yy, fill, 1);
    if (stroke) {
      for (let xx = x0; xx < x1; xx++) {
        this.blend(xx, y0, stroke, 1);
        this.blend(xx, y1 - 1, stroke, 1);
      }
      for (let yy = y0; yy < y1; yy++) {
        this.blend(x0, yy, stroke, 1);
        this.blend(x1 - 1, yy, stroke, 1);
      }
    }
  }

  circle(cx: number, cy: number, r: number, fill: RGB, alpha = 1): void {
    const x0 = Math.floor(cx - r - 1), x1 = Math.ceil(cx + r + 1);
    const y0 = Math.floor(cy - r - 1), y1 = Math.ceil(cy + r + 1);
    for (let y = y0; y <= y1; y++) {
      for (let x = x0; x <= x1; x++) {
        const d = Math.hypot(x + 0.5 - cx, y + 0.5 - cy);
        const cover = Math.min(1, Math.max(0, r + 0.5 - d));
        if (cover > 0) this.blend(x, y, fill, cover * alpha);
      }
    }
  }

  line(x1: number, y1: number, x2: number, y2: number, color: RGB, width = 1): void {
    const len = Math.hypot(x2 - x1, y2 - y1);
    if (x1 === x2 || y1 === y2) {
      // crisp axis-aligned lines
      const half = Math.max(0.5, width / 2);
      this.rect(Math.min(x1, x2) - (x1 === x2 ? half : 0), Math.min(y1, y2) - (y1 === y2 ? half : 0),
        Math.abs(x2 - x1) + (x1 === x2 ? 2 * half : 0), Math.abs(y2 - y1) + (y1 === y2 ? 2 * half : 0), color);
      return;
    }
    // coverage from the distance to the segment (a capsule of radius width/2), blended once per pixel
    const r = Math.max(0.5, width / 2);
    const dx = (x2 - x1) / len, dy = (y2 - y1) / len;
    for (let y = Math.floor(Math.min(y1, y2) - r - 1); y <= Math.ceil(Math.max(y1, y2) + r + 1); y++) {
      for (let x = Math.floor(Math.min(x1, x2) - r - 1); x <= Math.ceil(Math.max(x1, x2) + r + 1); x++) {
        const px = x + 0.5 - x1, py = y + 0.5 - y1;
        const t = Math.min(len, Math.max(0, px * dx + py * dy));
        const d = Math.hypot(px - t * dx, py - t * dy);
        const cover = Math.min(1, Math.max(0, r + 0.5 - d));
        if (cover > 0) this.blend(x, y, color, cover);
      }
    }
  }

  text(x: number, y: number, s: string, style: TextStyle = {}): void {
    const size = style.size ?? 12;
    const scale = Math.max(1, Math.round(size / 7));
    const color = style.color ?? [30, 30, 30];
    const adv = (GLYPH_W + 1) * scale;
    const total = s.length * adv - scale;
    const anchor = style.anchor ?? "start";
    const start = anchor === "middle" ? -total / 2 : anchor === "end" ? -total : 0;
    const top = -Math.round((7 * scale) / 2);
    for (let i = 0; i < s.length; i++) {
      const bits = glyph(s[i]!);
      for (let r = 0; r < GLYPH_H; r++) {
        for (let c = 0; c < GLYPH_W; c++) {
          if (!bits[r * GLYPH_W + c]) continue;
          for (let dy = 0; dy < scale; dy++) {
            for (let dx = 0; dx < scale; dx++) {
              const u = start + i * adv + c * scale + dx;
              const v = top + r * scale + dy;
              const px = style.vertical ? Math.round(x + v) : Math.round(x + u);
              const py = style.vertical ? Math.round(y - u) : Math.round(y + v);
              this.blend(px, py, color, 1);
              if (style.bold) this.blend(style.vertical ? px : px + 1, style.vertical ? py - 1 : py, color, 1);
            }
          }
        }
      }
    }
  }

  image(x: number, y: number, w: number, h: number, values: ArrayLike<number>, srcW: number, srcH: number, color: (t: number) => RGB): void {
    const x0 = Math.round(x), y0 = Math.round(y);
    const W = Math.round(w), H = Math.round(h);
    for (let yy = 0; yy < H; yy++) {
      const sy = Math.min(srcH - 1, Math.floor((yy * srcH) / H));
      for (let xx = 0; xx < W; xx++) {
        const sx = Math.min(srcW - 1, Math.floor((xx * srcW) / W));
        this.blend(x0 + xx, y0 + yy, color(values[sy * srcW + sx]!), 1);
      }
    }
  }

  /** The raster as PNG bytes, compressed by `deflate` (a promise of them when `deflate` is asynchronous). */
  toPNG(deflate: Deflate): Uint8Array;
  toPNG(deflate: AsyncDeflate): Promise<Uint8Array>;
  toPNG(deflate: Deflate | AsyncDeflate): Uint8Array | Promise<Uint8Array>;
  toPNG(deflate: Deflate | AsyncDeflate): Uint8Array | Promise<Uint8Array> {
    return encodePNG(this.width, this.height, this.pixels, deflate);
  }
}

function esc(s: string): string {
  return s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");
}

const r2 = (v: number): string => (Math.round(v * 100) / 100).toString();

export class SvgSurface implements Surface {
  private parts: string[] = [];
  /** `deflate` compresses the PNGs of embedded images (synchronous; default: stored, uncompressed). */
  constructor(readonly width: number, readonly height: number, background: RGB = [255, 255, 255],
    private readonly deflate: Deflate = storedDeflate) {
    this.parts.push(`<rect width="${width}" height="${height}" fill="${hex(background)}"/>`);
  }
  rect(x: number, y: number, w: number, h: number, fill: RGB | null, stroke?: RGB): void {
    this.parts.push(`<rect x="${r2(x)}" y="${r2(y)}" width="${r2(w)}" height="${r2(h)}" fill="${fill ? hex(fill) : "none"}"` +
      (stroke ? ` stroke="${hex(stroke)}"` : "") + "/>");
  }
  circle(cx: number, cy: number, r: number, fill: RGB, alpha = 1): void {
    this.parts.push(`<circle cx="${r2(cx)}" cy="${r2(cy)}" r="${r2(r)}" fill="${hex(fill)}"${alpha < 1 ? ` fill-opacity="${r2(alpha)}"` : ""}/>`);
  }
  line(x1: number, y1: number, x2: number, y2: number, color: RGB, width = 1): void {
    this.parts.push(`<line x1="${r2(x1)}" y1="${r2(y1)}" x2="${r2(x2)}" y2="${r2(y2)}" stroke="${hex(color)}" stroke-width="${r2(width)}"/>`);
  }
  text(x: number, y: number, s: string, style: TextStyle = {}): void {
    const size = (style.size ?? 12) * 1.3;
    const anchor = style.anchor ?? "start";
    const tr = style.vertical ? ` transform="rotate(-90 ${r2(x)} ${r2(y)})"` : "";
    this.parts.push(`<text x="${r2(x)}" y="${r2(y)}" font-family="Helvetica, Arial, sans-serif" font-size="${r2(size)}" ` +
      `fill="${hex(style.color ?? [30, 30, 30])}" text-anchor="${anchor}" dominant-baseline="central"` +
      `${style.bold ? ' font-weight="bold"' : ""}${tr}>${esc(s)}</text>`);
  }
  image(x: number, y: number, w: number, h: number, values: ArrayLike<number>, srcW: number, srcH: number, color: (t: number) => RGB): void {
    const rgba = new Uint8Array(srcW * srcH * 4);
    for (let i = 0; i < srcW * srcH; i++) {
      const c = color(values[i]!);
      rgba[i * 4] = c[0];
      rgba[i * 4 + 1] = c[1];
      rgba[i * 4 + 2] = c[2];
      rgba[i * 4 + 3] = 255;
    }
    const data = toBase64(encodePNG(srcW, srcH, rgba, this.deflate));
    this.parts.push(`<image x="${r2(x)}" y="${r2(y)}" width="${r2(w)}" height="${r2(h)}" preserveAspectRatio="none" ` +
      `style="image-rendering:pixelated" href="data:image/png;base64,${data}"/>`);
  }
  toSVG(): string {
    return `<svg xmlns="http://www.w3.org/2000/svg" width="${this.width}" height="${this.height}" viewBox="0 0 ${this.width} ${this.height}">\n` +
      this.parts.join("\n") + "\n</svg>\n";
  }
}
