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

/**
 * Paces a long loop of synchronous steps: about every 100 ms, `tick()` lets the event loop run (progress output,
 * timers, an abort) and then throws CancelledError("<what> was cancelled") if the signal has been aborted.
 */
export class Pacer {
  private last = performance.now();
  constructor(private readonly signal: AbortSignal | undefined, private readonly what: string) {}

  async tick(): Promise<void> {
    if (performance.now() - this.last <= 100) return;
    await new Promise((r) => setTimeout(r, 0));
    this.last = performance.now();
    if (this.signal?.aborted) throw new CancelledError(`${this.what} was cancelled`);
  }
}

/** A value as it reads in an error message: strings quoted (long ones cut), NaN, arrays and objects as JSON. */
export function describeValue(v: unknown): string {
  const cut = (s: string): string => (s.length > 60 ? `${s.slice(0, 57)}...` : s);
  if (typeof v === "string") return v.length > 60 ? `${JSON.stringify(v.slice(0, 50))}... (a string of ${v.length} characters)` : JSON.stringify(v);
  if (typeof v === "number" && Number.isNaN(v)) return "NaN";
  if (typeof v === "function") return "a function";
  if (typeof v === "bigint") return `${v}n`;
  if (Array.isArray(v)) {
    try {
      return cut(JSON.stringify(v));
    } catch {
      return `an array of ${v.length}`;
    }
  }
  if (v !== null && typeof v === "object") {
    const name = (v as { constructor?: { name?: string } }).constructor?.name;
    if (name && name !== "Object") {
      const shape = v as { rows?: unknown; cols?: unknown };
      return typeof shape.rows === "number" && typeof shape.cols === "number" ? `a ${shape.rows}x${shape.cols} ${name}` : `a ${name}`;
    }
    try {
      return cut(JSON.stringify(v));
    } catch {
      return "an object";
    }
  }
  return String(v);
}

export function requireInt(name: string, v: unknown, min: number, max = Infinity): number {
  if (typeof v !== "number" || !Number.isInteger(v) || v < min || v > max) {
    const range = max === Infinity ? `an integer >= ${min}` : `an integer in [${min}, ${max}]`;
    fail(`${name} must be ${range}, got ${describeValue(v)}`);
  }
  return v;
}

/** Text from a file as it may be shown in a message: printable ASCII, other bytes as \xHH, cut to `max` characters. */
export function excerpt(text: string, max = 80, quote = "\""): string {
  let out = "";
  for (const ch of text.trim()) {
    const c = ch.codePointAt(0)!;
    out += c >= 0x20 && c < 0x7f ? ch : c === 0x0a ? "\\n" : c <= 0xff ? `\\x${c.toString(16).padStart(2, "0")}` : `\\u{${c.toString(16)}}`;
    if (out.length >= max) return `${quote}${out.slice(0, max)}${quote}... (${text.length} characters)`;
  }
  return `${quote}${out}${quote}`;
}
