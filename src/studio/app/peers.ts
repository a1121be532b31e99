// The one place the app meets the other studio parts: the loader and export (src/studio/data), the renderer and
// its palette (src/studio/render), the compute worker's client (src/studio/compute). Thin adapters only.
import { ComputeClient } from "../compute/client.js";
import { exportFileName, exportMap } from "../data/export.js";
import { loadFiles, type InputFile } from "../data/load.js";
import { colorBy, uniformColors as paletteUniform, type Coloring } from "../render/palette.js";
import { PointRenderer } from "../render/renderer.js";
import type { Column, ComputeClientApi, Coords, PointRendererApi, StudioData } from "../types.js";

export type { InputFile, Coloring };

export function createRenderer(canvas: HTMLCanvasElement, n: number): PointRendererApi {
  return new PointRenderer(canvas, n);
}

export function createCompute(): ComputeClientApi {
  return new ComputeClient();
}

export function loadInputFiles(files: InputFile[]): Promise<StudioData> {
  return loadFiles(files);
}

/** The palette's colouring of a column (categorical in natural order, numeric on the continuous scale). */
export function paletteColorBy(column: Column): Coloring {
  return colorBy(column);
}

export function uniformColors(n: number): Uint8Array {
  return paletteUniform(n);
}

export type MapFormat = "tsv" | "npy" | "json";
const MIME: Record<MapFormat, string> = { tsv: "text/tab-separated-values", npy: "application/octet-stream", json: "application/json" };

/** The map (or the points `indices`) as a file: its name, type and contents. */
export function encodeMap(data: StudioData, coords: Coords, projection: string, format: MapFormat, indices?: Int32Array): { filename: string; mime: string; body: string | Uint8Array } {
  const body = exportMap({ data, coords, projection, ...(indices ? { indices } : {}) }, format);
  return { filename: exportFileName(data.name, projection, coords.dims, format, indices !== undefined), mime: MIME[format], body };
}
