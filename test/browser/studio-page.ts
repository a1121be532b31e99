// Helpers of the studio's end-to-end test: the static build into a folder (as scripts/build-studio.mjs does), and
// pixel counts of a screenshot (decoded in the page, which has a PNG decoder).
import { build } from "esbuild";
import { copyFileSync, mkdirSync } from "node:fs";
import type { Page } from "playwright-core";
import { ROOT } from "./bundle.js";

/** Bundles the studio (page, compute worker, the core's helper) and copies its static files into `dir`. */
export async function buildStudioInto(dir: string): Promise<void> {
  mkdirSync(dir, { recursive: true });
  await build({
    entryPoints: {
      studio: `${ROOT}dist/src/studio/app/main.js`,
      "compute-worker": `${ROOT}dist/src/studio/compute/worker.js`,
      "web-worker": `${ROOT}dist/src/core/wasm/web-worker.js`,
    },
    bundle: true, platform: "browser", format: "esm", target: "es2022", outdir: dir, logLevel: "silent",
  });
  for (const f of ["index.html", "studio.css"]) copyFileSync(`${ROOT}src/studio/static/${f}`, `${dir}/${f}`);
}

export interface PixelStats {
  width: number;
  height: number;
  /** Pixels that differ from the background (the most common colour) by more than a little. */
  drawn: number;
  /** For each reference colour, the pixels within a small distance of it. */
  near: number[];
}

/** Decodes a PNG screenshot in the page and counts its pixels. */
export async function pixelStats(page: Page, png: Buffer, colours: [number, number, number][] = []): Promise<PixelStats> {
  return page.evaluate(async ({ b64, colours }) => {
    const bytes = Uint8Array.from(atob(b64), (c) => c.charCodeAt(0));
    const bmp = await createImageBitmap(new Blob([bytes], { type: "image/png" }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext("2d")!;
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    const hist = new Map<number, number>();
    for (let p = 0; p < d.length; p += 4) {
      const key = (d[p]! << 16) | (d[p + 1]! << 8) | d[p + 2]!;
      hist.set(key, (hist.get(key) ?? 0) + 1);
    }
    let bg = 0, best = -1;
    for (const [k, v] of hist) if (v > best) { best = v; bg = k; }
    const br = bg >> 16, bgG = (bg >> 8) & 255, bb = bg & 255;
    let drawn = 0;
    const near = colours.map(() => 0);
    for (let p = 0; p < d.length; p += 4) {
      const r = d[p]!, g = d[p + 1]!, b = d[p + 2]!;
      if (Math.abs(r - br) + Math.abs(g - bgG) + Math.abs(b - bb) > 24) drawn++;
      for (let j = 0; j < colours.length; j++) {
        const q = colours[j]!;
        if (Math.abs(r - q[0]) + Math.abs(g - q[1]) + Math.abs(b - q[2]) <= 30) near[j]!++;
      }
    }
    return { width: bmp.width, height: bmp.height, drawn, near };
  }, { b64: png.toString("base64"), colours });
}

/** The RGB of a screenshot's pixels at CSS-pixel positions (floored; device pixel ratio 1), decoded in the page. */
export async function pixelsAt(page: Page, png: Buffer, at: [number, number][]): Promise<[number, number, number][]> {
  return page.evaluate(async ({ b64, at }) => {
    const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(b64), (c) => c.charCodeAt(0))], { type: "image/png" }));
    const c = new OffscreenCanvas(bmp.width, bmp.height);
    const ctx = c.getContext("2d")!;
    ctx.drawImage(bmp, 0, 0);
    const d = ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    return at.map(([x, y]) => {
      const p = 4 * (Math.floor(y) * bmp.width + Math.floor(x));
      return [d[p]!, d[p + 1]!, d[p + 2]!] as [number, number, number];
    });
  }, { b64: png.toString("base64"), at });
}

/** Pixels that differ between two screenshots of the same size. */
export async function pixelDiff(page: Page, a: Buffer, b: Buffer): Promise<number> {
  return page.evaluate(async ({ a64, b64 }) => {
    const decode = async (s: string): Promise<Uint8ClampedArray> => {
      const bmp = await createImageBitmap(new Blob([Uint8Array.from(atob(s), (c) => c.charCodeAt(0))], { type: "image/png" }));
      const c = new OffscreenCanvas(bmp.width, bmp.height);
      const ctx = c.getContext("2d")!;
      ctx.drawImage(bmp, 0, 0);
      return ctx.getImageData(0, 0, bmp.width, bmp.height).data;
    };
    const x = await decode(a64), y = await decode(b64);
    if (x.length !== y.length) return -1;
    let n = 0;
    for (let p = 0; p < x.length; p += 4) if (Math.abs(x[p]! - y[p]!) + Math.abs(x[p + 1]! - y[p + 1]!) + Math.abs(x[p + 2]! - y[p + 2]!) > 24) n++;
    return n;
  }, { a64: a.toString("base64"), b64: b.toString("base64") });
}

/** Parses "#rrggbb" or "rgb(r,g,b)". */
export function parseColour(css: string): [number, number, number] {
  const hex = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(css);
  if (hex) return [parseInt(hex[1]!, 16), parseInt(hex[2]!, 16), parseInt(hex[3]!, 16)];
  const m = /rgba?\((\d+),\s*(\d+),\s*(\d+)/.exec(css);
  if (!m) throw new Error(`not a colour: ${css}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

/** Point-in-polygon (even-odd rule). */
export function inside(x: number, y: number, poly: [number, number][]): boolean {
  let c = false;
  for (let i = 0, j = poly.length - 1; i < poly.length; j = i++) {
    const [xi, yi] = poly[i]!, [xj, yj] = poly[j]!;
    if ((yi > y) !== (yj > y) && x < ((xj - xi) * (y - yi)) / (yj - yi) + xi) c = !c;
  }
  return c;
}
