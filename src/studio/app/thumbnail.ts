// A point's image (grey, from the data's Images) drawn into a canvas, scaled up with crisp pixels.
import type { Images } from "../types.js";

export function thumbnail(images: Images, i: number, size: number): HTMLCanvasElement {
  const { width: w, height: h, pixels } = images;
  const c = document.createElement("canvas");
  c.width = w;
  c.height = h;
  c.className = "thumb";
  const scale = size / Math.max(w, h);
  c.style.width = `${Math.round(w * scale)}px`;
  c.style.height = `${Math.round(h * scale)}px`;
  const ctx = c.getContext("2d");
  if (!ctx) return c;
  const img = ctx.createImageData(w, h);
  const off = i * w * h;
  for (let p = 0; p < w * h; p++) {
    const v = pixels[off + p] ?? 0;
    img.data[4 * p] = v;
    img.data[4 * p + 1] = v;
    img.data[4 * p + 2] = v;
    img.data[4 * p + 3] = 255;
  }
  ctx.putImageData(img, 0, 0);
  return c;
}
