import { afterEach, describe, expect, it } from "vitest";
import { PollGovernor } from "../src/poll-interval";

const governors: PollGovernor[] = [];
/** A governor whose own timer never fires during a test: the samples are the test's. */
const governor = (baseMs = 2000, maxMs = 10_000) => {
  const g = new PollGovernor(baseMs, maxMs, 3_600_000);
  governors.push(g);
  return g;
};
afterEach(() => {
  for (const g of governors.splice(0)) g.close();
});

const feed = (g: PollGovernor, p99Ms: number, times: number) => {
  for (let i = 0; i < times; i++) g.observe(p99Ms);
  return g.pollIntervalMs();
};

describe("PollGovernor: the poll_interval_ms of every status answer", () => {
  it("stays at the configured interval while the event loop keeps up (p99 delay up to 50 ms)", () => {
    const g = governor(2000);
    expect(feed(g, 50, 30)).toBe(2000);
  });

  it("doubles after two loaded samples in a row (p99 over 50 ms), never after one", () => {
    const g = governor(2000);
    expect(g.observe(60)).toBe(2000);
    // A calm sample in between: the next loaded one starts counting again.
    expect(g.observe(10)).toBe(2000);
    expect(g.observe(60)).toBe(2000);
    expect(g.observe(60)).toBe(4000);
  });

  it("quadruples when the p99 delay passes 200 ms, capped at the maximum", () => {
    expect(feed(governor(2000), 250, 2)).toBe(8000);
    expect(feed(governor(3000, 10_000), 250, 2)).toBe(10_000);
  });

  it("falls back only after ten calm samples in a row; a loaded one in between restarts the count", () => {
    const g = governor(2000);
    expect(feed(g, 250, 2)).toBe(8000);
    expect(feed(g, 10, 9)).toBe(8000);
    // Still as loaded as the current interval assumes: the calm count starts again.
    expect(g.observe(250)).toBe(8000);
    expect(feed(g, 10, 9)).toBe(8000);
    expect(g.observe(10)).toBe(2000);
  });

  it("falls to the interval the load still wants, not all the way down", () => {
    const g = governor(2000);
    expect(feed(g, 250, 2)).toBe(8000);
    expect(feed(g, 60, 10)).toBe(4000);
  });

  it("reads the event loop's real delay: a blocked loop raises the interval", async () => {
    const g = new PollGovernor(2000, 10_000, 50);
    governors.push(g);
    // Block the loop for 120 ms at a time (each 50 ms sample then sees a p99 delay over 50 ms) until it
    // reacts; the pause between blocks lets the delay monitor's own timer record the late tick.
    for (let i = 0; i < 50 && g.pollIntervalMs() === 2000; i++) {
      const until = Date.now() + 120;
      while (Date.now() < until);
      await new Promise((resolve) => setTimeout(resolve, 15));
    }
    expect(g.pollIntervalMs()).toBeGreaterThan(2000);
  });
});
