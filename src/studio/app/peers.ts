// TEMPORARY: the one place the app meets the other studio parts (data, render, compute). Stubs until their branches
// are merged; then this file only adapts their exports.
import { ComputeClient } from "../compute/client.js";
import { exportFileName, exportMap } from "../data/export.js";
import { loadFiles, type InputFile } from "../data/load.js";
import type { Column, ComputeClientApi, Coords, PointRendererApi, StudioData } from "../types.js";

export type { InputFile };

export function createRenderer(_canvas: HTMLCanvasElement, _n: number): PointRendererApi {
  throw new Error("studio: the renderer is not merged yet");
}
export function createCompute(): ComputeClientApi {
  return new ComputeClient();
}
export async function loadInputFiles(files: InputFile[]): Promise<StudioData> {
  return loadFiles(files);
}

export interface Coloring {
  rgba: Uint8Array;
  legend:
    | { kind: "categorical"; column: string; entries: { label: string; css: string; count: number }[] }
    | { kind: "gradient"; column: string; min: number; max: number; stops: { t: number; css: string }[]; ticks: { value: number; t: number; label: string }[]; nanCount: number };
}
export function paletteColorBy(_column: Column): Coloring {
  throw new Error("studio: the palette is not merged yet");
}
export function uniformColors(n: number): Uint8Array {
  return new Uint8Array(4 * n).fill(128);
}

export type MapFormat = "tsv" | "npy" | "json";
const MIME: Record<MapFormat, string> = { tsv: "text/tab-separated-values", npy: "application/octet-stream", json: "application/json" };

/** The map (or the points `indices`) as a file: its name, type and contents. */
export function encodeMap(data: StudioData, coords: Coords, projection: string, format: MapFormat, indices?: Int32Array): { filename: string; mime: string; body: string | Uint8Array } {
  const body = exportMap({ data, coords, projection, ...(indices ? { indices } : {}) }, format);
  return { filename: exportFileName(data.name, projection, coords.dims, format, indices !== undefined), mime: MIME[format], body };
}

export interface ViewState {
  projection?: string;
  params?: Record<string, number | string | boolean>;
  color?: string;
  camera?: Record<string, unknown>;
  search?: { query: string; column: string; regex: boolean };
  selection?: number[];
  isolate?: boolean;
  point?: number;
}
export function encodeViewState(s: ViewState): string {
  return encodeURIComponent(JSON.stringify(s));
}
export function decodeViewState(hash: string): ViewState | null {
  try {
    return JSON.parse(decodeURIComponent(hash.replace(/^#/, ""))) as ViewState;
  } catch {
    return null;
  }
}
