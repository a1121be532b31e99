// Learning-rate schedules: objects that set optimizer.lr once per epoch, with PyTorch's lr_scheduler formulas.
// Each sets the lr for epoch 0 when made (as PyTorch's do: LinearWarmup starts at startFactor·lr), and step() moves
// to the next epoch. ReduceLROnPlateau's step takes the epoch's metric.
import { describeValue, fail } from "../../core/errors.js";
import { checkNumber } from "./base.js";

/** What a schedule needs of an optimiser: its learning rate. */
export interface HasLr {
  lr: number;
}

export interface LrSchedule {
  /** The epoch the current lr is for (0 after construction). */
  readonly epoch: number;
  /** Moves to the next epoch and sets the optimiser's lr (ReduceLROnPlateau: given the epoch's metric). */
  step(metric?: number): void;
  /** The schedule's state, to resume training. */
  toJSON(): Record<string, unknown>;
  loadState(state: Record<string, unknown>): void;
}

/** Schedules whose lr is a function of the epoch and the optimiser's lr at construction. */
abstract class EpochSchedule implements LrSchedule {
  epoch = 0;
  readonly baseLr: number;
  constructor(readonly type: string, readonly optimizer: HasLr) {
    if (!optimizer || typeof optimizer.lr !== "number") fail(`${type}: expected an optimiser, got ${describeValue(optimizer)}`);
    this.baseLr = optimizer.lr;
  }
  /** The lr at an epoch. */
  abstract lrAt(epoch: number): number;
  protected start(): void {
    this.optimizer.lr = this.lrAt(0);
  }
  step(): void {
    this.epoch++;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
  toJSON(): Record<string, unknown> {
    return { type: this.type, epoch: this.epoch, baseLr: this.baseLr };
  }
  loadState(s: Record<string, unknown>): void {
    if (s.type !== this.type) fail(`${this.type}.loadState: the state is of ${describeValue(s.type)}`);
    const e = s.epoch;
    if (!Number.isInteger(e) || (e as number) < 0) fail(`${this.type}.loadState: epoch must be a non-negative integer, got ${describeValue(e)}`);
    (this as { baseLr: number }).baseLr = checkNumber(`${this.type}.loadState`, "baseLr", s.baseLr, 0);
    this.epoch = e as number;
    this.optimizer.lr = this.lrAt(this.epoch);
  }
}

/** lr · γ^⌊epoch / stepSize⌋ (PyTorch's StepLR). */
export class StepLR extends EpochSchedule {
  readonly stepSize: number;
  readonly gamma: number;
  constructor(optimizer: HasLr, opts: { stepSize: number; gamma?: number }) {
    super("StepLR", optimizer);
    this.stepSize = opts?.stepSize;
    if (!Number.isInteger(this.stepSize) || this.stepSize < 1) fail(`StepLR: stepSize must be an integer >= 1, got ${describeValue(this.stepSize)}`);
    this.gamma = checkNumber("StepLR", "gamma", opts.gamma ?? 0.1, 0);
    this.start();
  }
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** Math.floor(epoch / this.stepSize);
  }
}

/** lr · γ^epoch (ExponentialLR). */
export class ExponentialLR extends EpochSchedule {
  readonly gamma: number;
  constructor(optimizer: HasLr, opts: { gamma: number }) {
    super("ExponentialLR", optimizer);
    this.gamma = checkNumber("ExponentialLR", "gamma", opts?.gamma, 0);
    this.start();
  }
  lrAt(epoch: number): number {
    return this.baseLr * this.gamma ** epoch;
  }
}

/** ηmin + (lr − ηmin)·(1 + cos(π·epoch/tMax))/2 (CosineAnnealingLR's closed form; periodic past tMax as PyTorch's). */
export class CosineAnnealingLR extends EpochSchedule {
  readonly tMax: number;
  readonly etaMin: number;
  constructor(optimizer: HasLr, opts: { tMax: number; etaMin?: number }) {
    super("CosineAnnealingLR", optimizer);
    this.tMax = opts?.tMax;
    if (!Number.isInteger(this.tMax) || this.tMax < 1) fail(`CosineAnnealingLR: tMax must be an integer >= 1, got ${describeValue(this.tMax)}`);
    this.etaMin = checkNumber("CosineAnnealingLR", "etaMin", opts.etaMin ?? 0, 0);
    this.start();
  }
  lrAt(epoch: number): number {
    return this.etaMin + (this.baseLr - this.etaMin) * (1 + Math.cos((Math.PI * epoch) / this.tMax)) / 2;
  }
}

/**
 * Linear warm-up: lr · (startFactor + (endFactor − startFactor)·min(epoch, epochs)/epochs), PyTorch's LinearLR
 * (defaults startFactor 1/3, endFactor 1, epochs 5); the lr stays at endFactor·lr after.
 */
export class LinearWarmup extends EpochSchedule {
  readonly epochs: number;
  readonly startFactor: number;
  readonly endFactor: number;
  constructor(optimizer: HasLr, opts: { epochs?: number; startFactor?: number; endFactor?: number } = {}) {
    super("LinearWarmup", optimizer);
    this.epochs = opts.epochs ?? 5;
    if (!Number.isInteger(this.epochs) || this.epochs < 1) fail(`LinearWarmup: epochs must be an integer >= 1, got ${describeValue(this.epochs)}`);
    this.startFactor = checkNumber("LinearWarmup", "startFactor", opts.startFactor ?? 1 / 3, 0, 1, true);
    this.endFactor = checkNumber("LinearWarmup", "endFactor", opts.endFactor ?? 1, 0, 1);
    this.start();
  }
  lrAt(epoch: number): number {
    const t = Math.min(epoch, this.epochs) / this.epochs;
    return this.baseLr * (this.startFactor + (this.endFactor - this.startFactor) * t);
  }
}

export interface ReduceLROnPlateauOptions {
  /** "min": the metric should fall (a loss; default), "max": rise. */
  mode?: "min" | "max";
  /** Default 0.1. */
  factor?: number;
  /** Epochs without improvement before a reduction (default 10). */
  patience?: number;
  /** Default 1e-4. */
  threshold?: number;
  /** "rel" (default): better than best·(1 ∓ threshold); "abs": best ∓ threshold. */
  thresholdMode?: "rel" | "abs";
  /** Epochs to wait after a reduction (default 0). */
  cooldown?: number;
  /** Default 0. */
  minLr?: number;
  /** Reductions smaller than this are skipped (default 1e-8). */
  eps?: number;
}

/** Multiplies the lr by `factor` when the metric has not improved for `patience` epochs (ReduceLROnPlateau). */
export class ReduceLROnPlateau implements LrSchedule {
  epoch = 0;
  best: number;
  badEpochs = 0;
  cooldownLeft = 0;
  readonly mode: "min" | "max";
  readonly factor: number;
  readonly patience: number;
  readonly threshold: number;
  readonly thresholdMode: "rel" | "abs";
  readonly cooldown: number;
  readonly minLr: number;
  readonly eps: number;

  constructor(readonly optimizer: HasLr, opts: ReduceLROnPlateauOptions = {}) {
    const T = "ReduceLROnPlateau";
    if (!optimizer || typeof optimizer.lr !== "number") fail(`${T}: expected an optimiser, got ${describeValue(optimizer)}`);
    this.mode = opts.mode ?? "min";
    if (this.mode !== "min" && this.mode !== "max") fail(`${T}: mode must be "min" or "max", got ${describeValue(this.mode)}`);
    this.thresholdMode = opts.thresholdMode ?? "rel";
    if (this.thresholdMode !== "rel" && this.thresholdMode !== "abs") fail(`${T}: thresholdMode must be "rel" or "abs", got ${describeValue(this.thresholdMode)}`);
    this.factor = checkNumber(T, "factor", opts.factor ?? 0.1, 0, 1, false, true);
    this.patience = opts.patience ?? 10;
    this.cooldown = opts.cooldown ?? 0;
    for (const [n, v] of [["patience", this.patience], ["cooldown", this.cooldown]] as const) {
      if (!Number.isInteger(v) || v < 0) fail(`${T}: ${n} must be a non-negative integer, got ${describeValue(v)}`);
    }
    this.threshold = checkNumber(T, "threshold", opts.threshold ?? 1e-4, 0);
    this.minLr = checkNumber(T, "minLr", opts.minLr ?? 0, 0);
    this.eps = checkNumber(T, "eps", opts.eps ?? 1e-8, 0);
    this.best = this.mode === "min" ? Infinity : -Infinity;
  }

  private better(a: number): boolean {
    const b = this.best, t = this.threshold;
    if (this.mode === "min") return this.thresholdMode === "rel" ? a < b * (1 - t) : a < b - t;
    return this.thresholdMode === "rel" ? a > b * (1 + t) : a > b + t;
  }

  step(metric?: number): void {
    if (typeof metric !== "number" || Number.isNaN(metric)) fail(`ReduceLROnPlateau.step needs the epoch's metric (a number), got ${describeValue(metric)}`);
    this.epoch++;
    if (this.better(metric)) {
      this.best = metric;
      this.badEpochs = 0;
    } else this.badEpochs++;
    if (this.cooldownLeft > 0) {
      this.cooldownLeft--;
      this.badEpochs = 0;
    }
    if (this.badEpochs > this.patience) {
      const old = this.optimizer.lr;
      const lr = Math.max(old * this.factor, this.minLr);
      if (old - lr > this.eps) this.optimizer.lr = lr;
      this.cooldownLeft = this.cooldown;
      this.badEpochs = 0;
    }
  }

  toJSON(): Record<string, unknown> {
    return { type: "ReduceLROnPlateau", epoch: this.epoch, best: this.best, badEpochs: this.badEpochs, cooldownLeft: this.cooldownLeft };
  }

  loadState(s: Record<string, unknown>): void {
    if (s.type !== "ReduceLROnPlateau") fail(`ReduceLROnPlateau.loadState: the state is of ${describeValue(s.type)}`);
    for (const k of ["epoch", "badEpochs", "cooldownLeft"] as const) {
      if (!Number.isInteger(s[k]) || (s[k] as number) < 0) fail(`ReduceLROnPlateau.loadState: ${k} must be a non-negative integer, got ${describeValue(s[k])}`);
    }
    // best is ±Infinity before the first epoch; JSON writes that as null
    const best = s.best === null ? (this.mode === "min" ? Infinity : -Infinity) : s.best;
    if (typeof best !== "number" || Number.isNaN(best)) fail(`ReduceLROnPlateau.loadState: best must be a number, got ${describeValue(best)}`);
    this.epoch = s.epoch as number;
    this.badEpochs = s.badEpochs as number;
    this.cooldownLeft = s.cooldownLeft as number;
    this.best = best;
  }
}
