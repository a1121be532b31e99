// A page for the studio renderer's browser test and fps benchmark: the built renderer and palette bundled with
// esbuild, served on 127.0.0.1, opened in Debian's headless Chromium (SwiftShader's WebGL2).
import { mkdtempSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium, type Browser, type Page } from "playwright-core";
import { ROOT, bundleForBrowser } from "./bundle.js";

export const CHROMIUM = "/usr/bin/chromium";

// Globals the tests drive: PointRenderer, palette, make(n, opts) (a renderer on the page's canvas, replacing the
// last), clusters(...) (seeded points), pixels() (draw now and read the drawing buffer, top row first).
const PAGE_JS = (root: string): string => `
import { PointRenderer } from "${root}dist/src/studio/render/renderer.js";
import * as palette from "${root}dist/src/studio/render/palette.js";
import * as camera from "${root}dist/src/studio/render/camera.js";
globalThis.PointRenderer = PointRenderer;
globalThis.palette = palette;
globalThis.cameraMath = camera;
globalThis.make = (n, opts = {}) => {
  globalThis.r?.destroy();
  const c = document.getElementById("c");
  globalThis.r = new PointRenderer(c, n, { pixelRatio: 1, ...opts });
  return globalThis.r;
};
// a seeded generator (mulberry32) and Gaussian clusters: centres [[x, y, z?], ...], count each, spread
globalThis.rng = (seed) => () => {
  seed |= 0; seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};
globalThis.clusters = (centres, each, spread, dims, seed = 1) => {
  const rand = globalThis.rng(seed);
  const gauss = () => Math.sqrt(-2 * Math.log(1 - rand())) * Math.cos(2 * Math.PI * rand());
  const n = centres.length * each;
  const values = new Float32Array(n * dims);
  const label = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const c = Math.floor(i / each);
    label[i] = c;
    for (let d = 0; d < dims; d++) values[i * dims + d] = (centres[c][d] ?? 0) + spread * gauss();
  }
  return { coords: { dims, values }, label, n };
};
globalThis.pixels = () => {
  const r = globalThis.r, c = r.canvas;
  r.draw();
  const gl = c.getContext("webgl2");
  const W = c.width, H = c.height;
  const raw = new Uint8Array(W * H * 4);
  gl.readPixels(0, 0, W, H, gl.RGBA, gl.UNSIGNED_BYTE, raw);
  const px = new Uint8Array(W * H * 4);
  for (let y = 0; y < H; y++) px.set(raw.subarray((H - 1 - y) * W * 4, (H - y) * W * 4), y * W * 4);
  return { W, H, px };
};
// pixels within tol (each channel) of rgb inside the rectangle [x0, x1) × [y0, y1) (device pixels; default all)
globalThis.countColor = (img, rgb, tol, rect) => {
  const [x0, y0, x1, y1] = rect ?? [0, 0, img.W, img.H];
  let k = 0;
  for (let y = Math.max(0, y0); y < Math.min(img.H, y1); y++) for (let x = Math.max(0, x0); x < Math.min(img.W, x1); x++) {
    const o = (y * img.W + x) * 4;
    if (Math.abs(img.px[o] - rgb[0]) <= tol && Math.abs(img.px[o + 1] - rgb[1]) <= tol && Math.abs(img.px[o + 2] - rgb[2]) <= tol) k++;
  }
  return k;
};
globalThis.ready = true;
`;

const HTML = `<!doctype html><meta charset="utf-8">
<style>body{margin:0} #wrap{position:relative;width:400px;height:300px} #c{display:block;width:400px;height:300px}</style>
<div id="wrap"><canvas id="c"></canvas></div><script type="module" src="page.js"></script>`;

/** Chromium's launch arguments: SwiftShader's WebGL without a GPU. */
export const CHROMIUM_ARGS = ["--no-sandbox", "--enable-unsafe-swiftshader"];

export interface RenderPage {
  page: Page;
  browser: Browser;
  errors: string[];
  close(): Promise<void>;
}

async function serve(files: Map<string, string>): Promise<{ server: Server; base: string }> {
  const server = createServer((req, res) => {
    const name = new URL(req.url ?? "/", "http://x").pathname.slice(1);
    const body = files.get(name);
    if (body === undefined) {
      res.writeHead(404).end();
      return;
    }
    const type = name.endsWith(".js") ? "text/javascript" : "text/html";
    res.writeHead(200, { "Content-Type": type, "Cache-Control": "no-store" }).end(body);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/** Bundles the page, serves it on 127.0.0.1 and opens it in headless Chromium; resolves once `ready` is set. */
export async function openRenderPage(args: string[] = CHROMIUM_ARGS, viewport = { width: 400, height: 300 }): Promise<RenderPage> {
  const dir = mkdtempSync(join(tmpdir(), "latentkit-studio-render-"));
  const entry = join(dir, "page.js");
  writeFileSync(entry, PAGE_JS(ROOT));
  const bundle = await bundleForBrowser({ page: entry });
  const files = new Map<string, string>(bundle.files);
  files.set("index.html", HTML.replace(/400px;height:300px/g, `${viewport.width}px;height:${viewport.height}px`));
  const { server, base } = await serve(files);
  const browser = await chromium.launch({ executablePath: CHROMIUM, args });
  const page = await browser.newPage({ viewport, deviceScaleFactor: 1 });
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  await page.goto(`${base}/index.html`);
  await page.waitForFunction(() => (globalThis as { ready?: boolean }).ready === true, null, { timeout: 20000 }).catch(() => {
    throw new Error(`the renderer page did not load: ${errors.join("; ") || "no error reported"}`);
  });
  return {
    page, browser, errors,
    close: async () => {
      await browser.close();
      server.close();
    },
  };
}
