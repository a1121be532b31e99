// A one-line progress bar on stderr (only when stderr is a terminal, so logs and pipes stay clean). It takes every
// estimator's Progress as it is: the stage, step of total, and the metrics named when the bar is made.
import type { Progress } from "../core/estimator.js";

function formatMetric(name: string, v: number): string {
  if (name === "wordsPerSecond") return `${Math.round(v).toLocaleString("en")} words/s`;
  if (name === "stepsPerSecond") return `${(v / 1e6).toFixed(1)} M steps/s`;
  if (name === "samplesPerSecond") return `${Math.round(v).toLocaleString("en")} samples/s`;
  return `${name} ${Number.isInteger(v) ? v : v.toPrecision(5)}`;
}

export class ProgressBar {
  private readonly enabled: boolean;
  private readonly t0 = performance.now();
  /** `show`: the metrics to print after the stage, in order (the others are left out). */
  constructor(private readonly label: string, enabled = process.stderr.isTTY === true, private readonly show: readonly string[] = []) {
    this.enabled = enabled;
  }
  /** The line the bar draws for p (without the carriage return). */
  line(p: Progress): string {
    const secs = ((performance.now() - this.t0) / 1000).toFixed(1);
    const metrics = this.show.filter((k) => p.metrics[k] !== undefined).map((k) => formatMetric(k, p.metrics[k]!));
    const tail = `${p.step}/${p.total} ${secs}s ${[p.stage, ...metrics].join(" ")}`;
    // 100 columns, or the terminal's width when it is wider; the bar (28 wide) shrinks to 10 to leave the metrics
    // room (a VAE's loss terms)
    const cols = Math.max(100, (process.stderr.columns ?? 0) - 1);
    const width = Math.max(10, Math.min(28, cols - this.label.length - tail.length - 4));
    const filled = Math.min(width, Math.round((p.step / Math.max(1, p.total)) * width));
    const text = `${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${tail}`;
    return text.padEnd(cols).slice(0, cols);
  }
  update = (p: Progress): void => {
    if (!this.enabled) return;
    process.stderr.write(`\r${this.line(p)}`);
  };
  done(): void {
    if (this.enabled) process.stderr.write("\r" + " ".repeat(Math.max(100, (process.stderr.columns ?? 0) - 1)) + "\r");
  }
}
