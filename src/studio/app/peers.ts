// TEMPORARY: the one place the app meets the other studio parts (data, render, compute). Stubs until their branches
// are merged; then this file only adapts their exports.
import { ComputeClient } from "../compute/client.js";
import type { Column, ComputeClientApi, Coords, PointRendererApi, StudioData } from "../types.js";

export interface InputFile { name: string; bytes: Uint8Array }

export function createRenderer(_canvas: HTMLCanvasElement, _n: number): PointRendererApi {
  throw new Error("studio: the renderer is not merged yet");
}
export function createCompute(): ComputeClientApi {
  return new ComputeClient();
}
export async function loadInputFiles(_files: InputFile[]): Promise<StudioData> {
  throw new Error("studio: the loader is not merged yet");
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
export function encodeMap(data: StudioData, coords: Coords, projection: string, format: MapFormat, indices?: Int32Array): { filename: string; mime: string; body: string | Uint8Array } {
  const rows = indices ?? Int32Array.from({ length: data.n }, (_, i) => i);
  const lines: string[] = [];
  for (const i of rows) lines.push(Array.from(coords.values.subarray(i * coords.dims, (i + 1) * coords.dims)).join("\t"));
  return { filename: `map-${projection}.${format}`, mime: "text/tab-separated-values", body: lines.join("\n") + "\n" };
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
