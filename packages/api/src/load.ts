import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";

/**
 * Tells clients how often to poll. Under load (the event loop falling behind),
 * the interval grows so that the room slows down together instead of timing out.
 */
export class PollGovernor {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private current: number;

  constructor(private readonly baseMs = 2000, private readonly maxMs = 10_000) {
    this.current = baseMs;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), 1000);
    this.timer.unref();
  }

  pollIntervalMs(): number {
    return this.current;
  }

  private sample() {
    const p99Ms = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    const factor = p99Ms > 200 ? 4 : p99Ms > 50 ? 2 : 1;
    this.current = Math.min(this.maxMs, this.baseMs * factor);
  }

  close() {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}
