/** Error raised for input that does not meet an estimator's or function's contract. */
export class LatentkitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "LatentkitError";
  }
}

/** Raised when long work is stopped through an AbortSignal. */
export class CancelledError extends Error {
  constructor(message = "the operation was cancelled") {
    super(message);
    this.name = "CancelledError";
  }
}

export function fail(message: string): never {
  throw new LatentkitError(message);
}

/** Throws CancelledError if the signal is aborted. */
export function throwIfAborted(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw new CancelledError();
}

export function describeValue(v: unknown): string {
  if (typeof v === "string") return JSON.stringify(v);
  if (typeof v === "number" && Number.isNaN(v)) return "NaN";
  return String(v);
}

export function requireInt(name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    fail(`${name} must be ${range}, got ${describeValue(v)}`);
  }
  return v;
}
