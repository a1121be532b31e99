import { Option } from "commander";
import { fail } from "../core/errors.js";
import { loadDataset } from "../io/dataset.js";
import { type Dataset } from "../formats/dataset.js";

export interface InputOptions {
  labelColumn?: string;
  labels?: string;
  delimiter?: string;
  header?: boolean;
  limit?: number;
}

export function loadInput(file: string, o: InputOptions): Dataset {
  return loadDataset(file, {
    ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}),
    ...(o.labels !== undefined ? { labelsPath: o.labels } : {}),
    ...(o.delimiter !== undefined ? { delimiter: o.delimiter === "\\t" ? "\t" : o.delimiter } : {}),
    ...(o.header !== undefined ? { header: o.header } : {}),
    ...(o.limit !== undefined ? { limit: o.limit } : {}),
  });
}

/**
 * An option that takes one of a fixed set of values: any other value is a usage error naming the value and the
 * choices (exit 2), never silently replaced by the default.
 */
export function choice(flags: string, description: string, choices: readonly string[], defaultValue?: string): Option {
  const opt = new Option(flags, description).choices(choices);
  return defaultValue !== undefined ? opt.default(defaultValue) : opt;
}

export function parseIntOption(name: string) {
  return (v: string): number => {
    if (!/^\d+$/.test(v)) fail(`${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
    return Number(v);
  };
}

/** A number option: anything that is not a finite number is rejected naming what was typed. */
export function parseNumber(name: string) {
  return (v: string): number => {
    const x = v.trim() === "" ? NaN : Number(v);
    if (!Number.isFinite(x)) fail(`${name} must be a number, got ${JSON.stringify(v)}`);
    return x;
  };
}

export function parseShape(v: string): [number, number] {
  const m = /^(\d+)[xX×](\d+)$/.exec(v);
  if (!m) fail(`--image-shape must look like HxW (e.g. 28x28), got ${JSON.stringify(v)}`);
  return [Number(m[1]), Number(m[2])];
}

/** The image shape from the option, the data set, or a square guess when the row length is a perfect square. */
export function imageShapeFor(ds: Dataset, option: string | undefined, required: boolean): [number, number] | undefined {
  if (option) {
    const s = parseShape(option);
    if (s[0] * s[1] !== ds.X.cols) fail(`--image-shape ${option} has ${s[0] * s[1]} pixels, but rows have ${ds.X.cols} values`);
    return s;
  }
  if (ds.imageShape) return ds.imageShape;
  const r = Math.round(Math.sqrt(ds.X.cols));
  if (r * r === ds.X.cols) return [r, r];
  if (required) fail(`cannot tell the image shape of rows with ${ds.X.cols} values: pass --image-shape HxW`);
  return undefined;
}
