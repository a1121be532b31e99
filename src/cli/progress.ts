// A one-line progress bar on stderr (only when stderr is a terminal, so logs and pipes stay clean).
import type { Progress } from "../linalg/randomized.js";

export class ProgressBar {
  private readonly enabled: boolean;
  private readonly t0 = performance.now();
  constructor(private readonly label: string, enabled = process.stderr.isTTY === true) {
    this.enabled = enabled;
  }
  update = (p: Progress): void => {
    if (!this.enabled) return;
    const width = 28;
    const filled = Math.round((p.step / Math.max(1, p.total)) * width);
    const secs = ((performance.now() - this.t0) / 1000).toFixed(1);
    process.stderr.write(`\r${this.label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${p.step}/${p.total} ${secs}s ${p.stage}`.padEnd(100).slice(0, 100));
  };
  done(): void {
    if (this.enabled) process.stderr.write("\r" + " ".repeat(100) + "\r");
  }
}
