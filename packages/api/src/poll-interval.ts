import { monitorEventLoopDelay, type IntervalHistogram } from "node:perf_hooks";
import type { Context } from "./context";

/**
 * Tells clients how often to poll. Under load (the event loop falling behind),
 * the interval grows so that the room slows down together instead of timing out.
 */
export class PollGovernor {
  private readonly histogram: IntervalHistogram;
  private readonly timer: NodeJS.Timeout;
  private current: number;
  private loadedSamples = 0;
  private calmSamples = 0;

  /** `sampleEveryMs`: how often the event loop's delay is read (tests sample faster than the production second). */
  constructor(
    private readonly baseMs = 2000,
    private readonly maxMs = 10_000,
    sampleEveryMs = 1000,
  ) {
    this.current = baseMs;
    this.histogram = monitorEventLoopDelay({ resolution: 10 });
    this.histogram.enable();
    this.timer = setInterval(() => this.sample(), sampleEveryMs);
    this.timer.unref();
  }

  pollIntervalMs(): number {
    return this.current;
  }

  private sample() {
    const p99Ms = this.histogram.percentile(99) / 1e6;
    this.histogram.reset();
    this.observe(p99Ms);
  }

  /**
   * One sample's p99 event-loop delay in, the interval out (public so that the policy is testable without
   * loading the machine). The interval is inside every status body, so each change costs every client its
   * ETag (a 200 instead of a 304) right when the server is busy: it rises only after 2 loaded samples in a
   * row and falls back after 10 calm ones.
   */
  observe(p99Ms: number): number {
    const wanted = Math.min(this.maxMs, this.baseMs * (p99Ms > 200 ? 4 : p99Ms > 50 ? 2 : 1));
    if (wanted > this.current) {
      this.calmSamples = 0;
      if (++this.loadedSamples >= 2) this.current = wanted;
    } else if (wanted < this.current) {
      this.loadedSamples = 0;
      if (++this.calmSamples >= 10) {
        this.current = wanted;
        this.calmSamples = 0;
      }
    } else {
      this.loadedSamples = 0;
      this.calmSamples = 0;
    }
    return this.current;
  }

  close() {
    clearInterval(this.timer);
    this.histogram.disable();
  }
}

/** The `poll_interval_ms` a status answer carries: the governor's, or the configured one without it. */
export const pollIntervalMs = (ctx: Context) => ctx.deps.pollIntervalMs?.() ?? ctx.deps.settings.pollIntervalMs;
