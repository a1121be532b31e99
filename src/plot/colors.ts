export type RGB = readonly [number, number, number];

/** Tableau 10 followed by its lighter companions: distinct colours for up to 20 classes. */
export const CATEGORICAL: RGB[] = [
  [31, 119, 180], [255, 127, 14], [44, 160, 44], [214, 39, 40], [148, 103, 189], [140, 86, 75], [227, 119, 194],
  [127, 127, 127], [188, 189, 34], [23, 190, 207], [174, 199, 232], [255, 187, 120], [152, 223, 138], [255, 152, 150],
  [197, 176, 213], [196, 156, 148], [247, 182, 210], [199, 199, 199], [219, 219, 141], [158, 218, 229],
];

export function hex(c: RGB): string {
  return "#" + c.map((v) => Math.round(v).toString(16).padStart(2, "0")).join("");
}

/** Grey ramp: 0 → black, 1 → white. */
export function gray(t: number): RGB {
  const v = Math.round(255 * Math.min(1, Math.max(0, t)));
  return [v, v, v];
}

/** Diverging blue–white–red for signed values: t in [-1, 1]. */
export function diverging(t: number): RGB {
  const x = Math.min(1, Math.max(-1, t));
  const blue: RGB = [33, 102, 172];
  const red: RGB = [178, 24, 43];
  const end = x < 0 ? blue : red;
  const a = Math.abs(x);
  return [255 + (end[0] - 255) * a, 255 + (end[1] - 255) * a, 255 + (end[2] - 255) * a];
}
