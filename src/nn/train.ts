// The training loop every neural estimator shares: epochs of shuffled mini-batches, a validation split (a held-out
// fraction of the training rows, or a separate set), early stopping, a learning-rate schedule per epoch, progress
// with loss and samples/s, and cancellation through an AbortSignal. The loop knows nothing about the model: it hands
// each batch's row indices to `step` (forward, backward, optimizer.step, zeroGrad: one tidy() scope per batch, run by
// the loop) and to `evaluate` (a forward pass under noGrad), and keeps the loss history.
// Batches are gathered by row index into one long-lived input tensor per data matrix (BatchBuffer), so a step
// allocates nothing outside its scope.
import { CancelledError, Pacer, fail } from "../core/errors.js";
import type { Progress } from "../core/estimator.js";
import type { FloatArray, Matrix } from "../core/matrix.js";
import { Random } from "../core/random.js";
import { noGrad, tidy } from "./autograd.js";
import { Tensor } from "./tensor.js";

export interface EarlyStopping {
  /** Epochs without an improvement of the monitored loss (validation loss if any, else training loss) before stopping. */
  patience: number;
  /** Smallest decrease that counts as an improvement (default 0). */
  minDelta?: number;
}

/** Validation data: a fraction of the training rows held out, or a separate set of `n` rows. */
export type Validation = number | { n: number };

export interface FitLoopOptions {
  /** Rows of training data (the indices handed to `step` are in [0, n), or, with a validation fraction, the kept ones). */
  n: number;
  batchSize: number;
  epochs: number;
  /**
   * A seeded generator for the order of the rows in each epoch (and for the held-out split); false keeps the rows
   * in order (the split then holds out the last rows). Default: shuffled with `new Random(0)`.
   */
  shuffle?: Random | false;
  /**
   * A fraction in (0, 1) of the training rows held out for validation (chosen with the generator, the same for every
   * epoch, never trained on), or `{ n }`: a separate validation set of n rows, whose indices `evaluate` receives.
   */
  validation?: Validation;
  /**
   * One training step on the rows `batch` (a view of a reused buffer: copy what must outlive the call), run inside
   * tidy(): forward, loss, backward, optimizer step, zeroGrad. Returns the batch's mean loss, or the loss with named
   * terms (a VAE's reconstruction and KL, a penalty), whose per-epoch means the history keeps beside the loss.
   */
  step: (batch: Int32Array) => StepResult;
  /**
   * The mean loss on the rows `batch` (of the validation set, or of the held-out training rows), run inside tidy()
   * and noGrad(). Needed when `validation` is given. May return named terms as `step` does.
   */
  evaluate?: (batch: Int32Array) => StepResult;
  /** Stop when the monitored loss has not improved for `patience` epochs. */
  earlyStopping?: EarlyStopping;
  /**
   * Called before each epoch (0-based) with the learning rate of the previous one; returns the rate for this epoch
   * (or undefined to keep it). Needs `optimizer`.
   */
  schedule?: (epoch: number, lr: number) => number | undefined;
  /** The optimiser whose `lr` the schedule sets and the progress reports. */
  optimizer?: { lr: number };
  /** Called after every epoch and, within an epoch, about every 100 ms. */
  onProgress?: (p: Progress) => void;
  /** Rejects the promise with CancelledError when aborted (checked between batches). */
  signal?: AbortSignal;
  /** Called when the monitored loss reaches a new best (after epoch `epoch`): e.g. to keep a copy of the weights. */
  onBest?: (epoch: number) => void;
  /** Names the work in the cancellation message (default "training"). */
  what?: string;
}

/** What a step or an evaluation returns: the batch's mean loss, or the loss and named terms (batch means too). */
export type StepResult = number | { loss: number; terms: Readonly<Record<string, number>> };

export interface LossHistory {
  /** Mean training loss of each epoch (over its batches, weighted by their sizes). */
  train: number[];
  /** Mean validation loss after each epoch (empty without validation). */
  validation: number[];
  /** Per-epoch means of the named terms the steps returned (empty without terms), e.g. terms.kl[e]. */
  terms?: Record<string, number[]>;
  /** Per-epoch means of the named terms of the validation evaluations. */
  validationTerms?: Record<string, number[]>;
  /** The epoch (0-based) with the lowest monitored loss: validation if any, else training. */
  bestEpoch: number;
  /** Whether early stopping ended the run before `epochs`. */
  stoppedEarly: boolean;
  /** Wall time of the loop, validation included. */
  seconds: number;
  /** Training samples per second, over the time spent in training steps (validation excluded). */
  samplesPerSecond: number;
}

function checkLoop(o: FitLoopOptions): void {
  const intAtLeast = (name: string, v: unknown, min: number): void => {
    if (typeof v !== "number" || !Number.isInteger(v) || v < min) fail(`fitLoop: ${name} must be an integer >= ${min}, got ${String(v)}`);
  };
  intAtLeast("n", o.n, 1);
  intAtLeast("batchSize", o.batchSize, 1);
  intAtLeast("epochs", o.epochs, 0);
  const v = o.validation;
  if (v !== undefined) {
    if (typeof v === "number") {
      if (!(v > 0 && v < 1)) fail(`fitLoop: a validation fraction must be in (0, 1), got ${v}`);
    } else intAtLeast("validation.n", v.n, 1);
    if (!o.evaluate) fail("fitLoop: validation needs an evaluate function");
  }
  if (o.earlyStopping) {
    intAtLeast("earlyStopping.patience", o.earlyStopping.patience, 1);
    const d = o.earlyStopping.minDelta ?? 0;
    if (!(Number.isFinite(d) && d >= 0)) fail(`fitLoop: earlyStopping.minDelta must be a number >= 0, got ${d}`);
  }
  if (o.schedule && !o.optimizer) fail("fitLoop: a schedule needs the optimizer whose learning rate it sets");
}

/** The split of [0, n) into training and held-out rows (the held-out ones sorted). */
export function splitRows(n: number, fraction: number, rng: Random | false): { train: Int32Array; held: Int32Array } {
  if (n < 2) fail(`a validation split needs at least 2 rows, got ${n}`);
  // at least one row on each side
  const nHeld = Math.min(n - 1, Math.max(1, Math.round(n * fraction)));
  const order = rng ? rng.sample(n, n) : Int32Array.from({ length: n }, (_, i) => i);
  const held = order.slice(n - nHeld).sort();
  const train = order.slice(0, n - nHeld).sort();
  return { train, held };
}

/** Weighted sums of a loss and its named terms, over batches. */
class Sums {
  loss = 0;
  n = 0;
  readonly terms = new Map<string, number>();
  add(r: StepResult, w: number): number {
    const loss = typeof r === "number" ? r : r?.loss;
    if (typeof r !== "number" && r && r.terms) {
      for (const [k, v] of Object.entries(r.terms)) this.terms.set(k, (this.terms.get(k) ?? 0) + v * w);
    }
    if (typeof loss === "number") this.loss += loss * w;
    this.n += w;
    return loss as number;
  }
  means(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const [k, v] of this.terms) out[k] = v / this.n;
    return out;
  }
}

function pushTerms(into: Record<string, number[]>, means: Record<string, number>): void {
  for (const [k, v] of Object.entries(means)) (into[k] ??= []).push(v);
}

/** Runs `evaluate` over `rows` in batches (tidy + noGrad each); the means weighted by batch size. */
function meanLoss(rows: Int32Array, batchSize: number, evaluate: (b: Int32Array) => StepResult): { loss: number; terms: Record<string, number> } {
  const s = new Sums();
  for (let b = 0; b < rows.length; b += batchSize) {
    const idx = rows.subarray(b, Math.min(rows.length, b + batchSize));
    s.add(tidy(() => noGrad(() => evaluate(idx))), idx.length);
  }
  return { loss: s.loss / s.n, terms: s.means() };
}

/**
 * Trains for `epochs` epochs of mini-batches (the last batch of an epoch may be smaller), with validation, early
 * stopping, a schedule and progress as set in the options; resolves to the loss history. Between batches it checks
 * the signal, and about every 100 ms it lets the event loop run (progress output, timers, an abort).
 */
export async function fitLoop(o: FitLoopOptions): Promise<LossHistory> {
  checkLoop(o);
  const t0 = performance.now();
  const rng = o.shuffle === undefined ? new Random(0) : o.shuffle;
  let rows: Int32Array;
  let held: Int32Array | null = null;
  if (typeof o.validation === "number") {
    const s = splitRows(o.n, o.validation, rng);
    rows = s.train;
    held = s.held;
  } else {
    rows = Int32Array.from({ length: o.n }, (_, i) => i);
    if (o.validation) held = Int32Array.from({ length: o.validation.n }, (_, i) => i);
  }
  const order = rows.slice();
  const nTrain = rows.length;
  const perEpoch = Math.ceil(nTrain / o.batchSize);
  const total = perEpoch * o.epochs;
  const pacer = new Pacer(o.signal, o.what ?? "training");
  const cancelled = (): never => {
    throw new CancelledError(`${o.what ?? "training"} was cancelled`);
  };
  if (o.signal?.aborted) cancelled();
  const history: LossHistory = { train: [], validation: [], bestEpoch: -1, stoppedEarly: false, seconds: 0, samplesPerSecond: 0 };
  const minDelta = o.earlyStopping?.minDelta ?? 0;
  let best = Infinity;
  let ref = Infinity;
  let sinceBest = 0;
  let stepSeconds = 0;
  let samples = 0;
  let done = 0;
  let lastReport = performance.now();
  const rate = (): number => (stepSeconds > 0 ? samples / stepSeconds : 0);
  const report = (epoch: number, loss: number, extra: Record<string, number> = {}): void => {
    if (!o.onProgress) return;
    const metrics: Record<string, number> = { epoch: epoch + 1, epochs: o.epochs, loss, samplesPerSecond: rate(), ...extra };
    if (o.optimizer) metrics.lr = o.optimizer.lr;
    o.onProgress({ stage: `epoch ${epoch + 1}/${o.epochs}`, step: done, total, metrics });
  };
  for (let epoch = 0; epoch < o.epochs; epoch++) {
    if (o.schedule && o.optimizer) {
      const lr = o.schedule(epoch, o.optimizer.lr);
      if (lr !== undefined) {
        if (!(Number.isFinite(lr) && lr >= 0)) fail(`fitLoop: the schedule gave learning rate ${lr} for epoch ${epoch}`);
        o.optimizer.lr = lr;
      }
    }
    if (rng) {
      order.set(rows);
      rng.shuffle(order);
    }
    const sums = new Sums();
    for (let b = 0; b < nTrain; b += o.batchSize) {
      if (o.signal?.aborted) cancelled();
      const idx = order.subarray(b, Math.min(nTrain, b + o.batchSize));
      const ts = performance.now();
      const result = tidy(() => o.step(idx));
      const te = performance.now();
      const loss = typeof result === "number" ? result : result?.loss;
      stepSeconds += (te - ts) / 1000;
      if (typeof loss !== "number" || !Number.isFinite(loss)) {
        fail(`training diverged: the loss of epoch ${epoch + 1}, batch ${Math.floor(b / o.batchSize) + 1} is ${String(loss)}; try a smaller learning rate`);
      }
      samples += idx.length;
      sums.add(result, idx.length);
      done++;
      if (te - lastReport > 100) {
        lastReport = te;
        report(epoch, sums.loss / sums.n, sums.means());
      }
      await pacer.tick();
    }
    const trainLoss = sums.loss / sums.n;
    history.train.push(trainLoss);
    const termMeans = sums.means();
    if (Object.keys(termMeans).length > 0) pushTerms(history.terms ??= {}, termMeans);
    let monitored = trainLoss;
    const valTerms: Record<string, number> = {};
    if (held && o.evaluate) {
      const v = meanLoss(held, o.batchSize, o.evaluate);
      if (!Number.isFinite(v.loss)) fail(`training diverged: the validation loss of epoch ${epoch + 1} is ${v.loss}; try a smaller learning rate`);
      history.validation.push(v.loss);
      monitored = v.loss;
      if (Object.keys(v.terms).length > 0) pushTerms(history.validationTerms ??= {}, v.terms);
      for (const [k, x] of Object.entries(v.terms)) valTerms[`val${k[0]!.toUpperCase()}${k.slice(1)}`] = x;
    }
    // as Keras: an improvement is a decrease by more than minDelta from the reference, which then moves to it; the
    // best epoch is the one with the lowest loss
    if (monitored < ref - minDelta) {
      ref = monitored;
      sinceBest = 0;
    } else sinceBest++;
    if (monitored < best) {
      best = monitored;
      history.bestEpoch = epoch;
      o.onBest?.(epoch);
    }
    lastReport = performance.now();
    report(epoch, trainLoss, { ...termMeans, ...(held ? { valLoss: history.validation[history.validation.length - 1]!, ...valTerms } : {}) });
    if (o.earlyStopping && sinceBest >= o.earlyStopping.patience && epoch + 1 < o.epochs) {
      history.stoppedEarly = true;
      break;
    }
    await pacer.tick();
  }
  if (o.signal?.aborted) cancelled();
  history.seconds = (performance.now() - t0) / 1000;
  history.samplesPerSecond = rate();
  return history;
}

/**
 * One long-lived [batchSize, cols] tensor that batches of a data matrix's rows are copied into, by index: a step
 * reads `gather(idx)`, a view of its first idx.length rows, so training allocates no batch per step.
 */
export class BatchBuffer {
  readonly tensor: Tensor;
  private readonly src: FloatArray;
  private readonly cols: number;
  constructor(X: Matrix, batchSize: number) {
    this.src = X.data;
    this.cols = X.cols;
    this.tensor = Tensor.longLived([batchSize, X.cols]);
  }

  /** The rows `idx` of the matrix, copied into the buffer (a view of its first idx.length rows). */
  gather(idx: Int32Array): Tensor {
    const d = this.cols;
    const cap = this.tensor.shape[0]!;
    if (idx.length > cap) fail(`BatchBuffer: a batch of ${idx.length} rows does not fit a buffer of ${cap}`);
    const dst = this.tensor.data;
    const src = this.src;
    const nRows = src.length / Math.max(d, 1);
    for (let i = 0; i < idx.length; i++) {
      const r = idx[i]!;
      if (!(r >= 0 && r < nRows)) fail(`BatchBuffer: row ${r} is outside the data's ${nRows} rows`);
      dst.set(src.subarray(r * d, r * d + d), i * d);
    }
    return idx.length === cap ? this.tensor : this.tensor.rows(0, idx.length);
  }

  dispose(): void {
    this.tensor.dispose();
  }
}
