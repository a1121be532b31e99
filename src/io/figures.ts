// Figures in Node: PNG compressed with zlib, and saveFigure to write .png/.svg files.
import { deflateSync } from "node:zlib";
import { figureFormatFor, render as renderWith, type Figure } from "../plot/charts.js";
import type { Deflate } from "../plot/png.js";
import { writeOutputs, type OutputFiles } from "./fs.js";

/** zlib's deflate at level 6 (what PNG encoders commonly use). */
export const zlibDeflate: Deflate = (data) => deflateSync(data, { level: 6 });

/** Renders a figure as PNG bytes or SVG text, compressing with zlib (the Node form of plot/charts.ts's render). */
export function render(fig: Figure, format: "png"): Buffer;
export function render(fig: Figure, format: "svg"): string;
export function render(fig: Figure, format: "png" | "svg"): Buffer | string;
export function render(fig: Figure, format: "png" | "svg"): Buffer | string {
  if (format === "svg") return renderWith(fig, "svg", zlibDeflate);
  const png = renderWith(fig, format, zlibDeflate);
  return Buffer.from(png.buffer, png.byteOffset, png.byteLength);
}

/**
 * Writes a figure to .png or .svg according to the path's extension (atomically: a temporary file renamed into
 * place); with `outputs`, it is staged there and appears when that batch is committed.
 */
export function saveFigure(path: string, fig: Figure, outputs?: OutputFiles): void {
  const data = render(fig, figureFormatFor(path));
  writeOutputs(outputs, (out) => out.write(path, data));
}
