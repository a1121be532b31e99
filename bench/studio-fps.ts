// The studio renderer's frame rate: 100,000 and 1,000,000 clustered points in headless Chromium (SwiftShader's
// software WebGL2 on this machine; a real GPU elsewhere), the camera panned (2-D) or orbited (3-D) every frame for
// a few seconds. A benchmark, not a test: `npm run build && node dist/bench/studio-fps.js [--sizes 100000,1000000]
// [--seconds 3] [--viewport 1280x800]`.
import { loadavg } from "node:os";
import { openRenderPage, CHROMIUM_ARGS } from "../test/browser/studio-render-page.js";

const arg = (name: string, def: string): string => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1]! : def;
};
const sizes = arg("--sizes", "100000,1000000").split(",").map(Number);
const seconds = Number(arg("--seconds", "3"));
const [vw, vh] = arg("--viewport", "1280x800").split("x").map(Number) as [number, number];

const rp = await openRenderPage(CHROMIUM_ARGS, { width: vw, height: vh });
try {
  const gl = await rp.page.evaluate(() => {
    const c = document.createElement("canvas").getContext("webgl2");
    const ext = c?.getExtension("WEBGL_debug_renderer_info");
    return ext ? String(c!.getParameter(ext.UNMASKED_RENDERER_WEBGL)) : "unknown";
  });
  console.log(`renderer: ${gl}; viewport ${vw}x${vh}; load ${loadavg().map((v) => v.toFixed(2)).join(" ")}`);
  console.log("| points | view | frames | seconds | frames/s |");
  console.log("|---:|---|---:|---:|---:|");
  for (const n of sizes) {
    for (const dims of [2, 3] as const) {
      const r = await rp.page.evaluate(async ({ n, dims, seconds }) => {
        const g = globalThis as unknown as {
          clusters(c: number[][], each: number, s: number, d: number, seed?: number): { coords: { dims: 2 | 3; values: Float32Array }; label: Int32Array };
          make(n: number): {
            setPositions(c: unknown, fit?: boolean): void; setColors(c: Uint8Array): void; draw(): void;
            getCamera(): { center: [number, number, number]; zoom: number; yaw: number; pitch: number };
            setCamera(c: object): void; stats(): { frames: number; lastFrameMs: number };
          };
        };
        const centres = Array.from({ length: 10 }, (_, i) => [Math.cos(i), Math.sin(i), Math.cos(2 * i)].slice(0, dims));
        const { coords, label } = g.clusters(centres, Math.ceil(n / 10), 0.15, dims, 7);
        const r = g.make(coords.values.length / dims);
        r.setPositions(coords, true);
        const rgba = new Uint8Array(label.length * 4);
        for (let i = 0; i < label.length; i++) rgba.set([(label[i]! * 67) % 256, (label[i]! * 131) % 256, (label[i]! * 29) % 256, 255], i * 4);
        r.setColors(rgba);
        r.draw();
        const c0 = r.getCamera();
        let frames = 0;
        const t0 = performance.now();
        await new Promise<void>((done) => {
          const step = (): void => {
            const t = (performance.now() - t0) / 1000;
            if (t > seconds) return done();
            if (dims === 2) r.setCamera({ center: [c0.center[0] + 0.2 * Math.sin(t * 3), c0.center[1], 0] });
            else r.setCamera({ yaw: c0.yaw + t });
            r.draw();
            // readPixels of one pixel waits for the frame to finish (SwiftShader renders on the CPU)
            const gl = (document.getElementById("c") as HTMLCanvasElement).getContext("webgl2")!;
            gl.readPixels(0, 0, 1, 1, gl.RGBA, gl.UNSIGNED_BYTE, new Uint8Array(4));
            frames++;
            requestAnimationFrame(step);
          };
          requestAnimationFrame(step);
        });
        return { frames, seconds: (performance.now() - t0) / 1000 };
      }, { n, dims, seconds });
      console.log(`| ${n.toLocaleString("en")} | ${dims}-D | ${r.frames} | ${r.seconds.toFixed(1)} | ${(r.frames / r.seconds).toFixed(1)} |`);
    }
  }
} finally {
  await rp.close();
}
