import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { ReadThroughCache } from "../src/cache";

/**
 * The burst rule lets counts lag (a value is answered for minRefreshMs while writes
 * come); a write the next read must show (a lifecycle change, hiding results) says so,
 * and no write after it brings an older value back. The clock is the test's (only Date
 * is faked), so no assertion here depends on how fast the machine is.
 */
describe("ReadThroughCache: writes the next read must show", () => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

  function source() {
    let value = "v0";
    let loads = 0;
    return {
      set: (v: string) => (value = v),
      load: () => {
        loads++;
        return Promise.resolve(value);
      },
      get loads() {
        return loads;
      },
    };
  }

  it("an immediate write inside a burst of coalescing ones is shown by the next read", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 1_000 });
    const s = source();
    expect(await cache.get("k", s.load)).toBe("v0");
    // Answers arriving: coalescing writes 5 ms apart, each followed by a read.
    for (let i = 1; i <= 5; i++) {
      s.set(`count ${i}`);
      await cache.invalidate(["k"]);
      await cache.get("k", s.load);
      advance(5);
    }
    s.set("hidden");
    await cache.invalidate(["k"], "immediate");
    expect(await cache.get("k", s.load)).toBe("hidden");
  });

  it("a coalescing write right after an immediate one does not bring back the value from before it", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 1_000 });
    const s = source();
    expect(await cache.get("k", s.load)).toBe("v0");
    s.set("completed");
    await cache.invalidate(["k"], "immediate");
    // An answer lands 1 ms later, before any read: a burst by the old rule, which answered v0 as is.
    advance(1);
    s.set("completed, 1 more answer");
    await cache.invalidate(["k"]);
    expect(await cache.get("k", s.load)).toBe("completed, 1 more answer");
  });

  it("a load in flight from before an immediate write is not joined by reads after it", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 1_000 });
    let value = "v0";
    let release: (() => void) | undefined;
    const slow = () => new Promise<string>((resolve) => (release = () => resolve(value)));
    const first = cache.get("k", slow);
    release?.();
    await first;
    // A burst, and a reload under way that began before the immediate write.
    value = "v1";
    await cache.invalidate(["k"]);
    value = "v2";
    await cache.invalidate(["k"]);
    advance(60);
    const stale = cache.get("k", slow);
    const releaseOld = release;
    value = "hidden";
    await cache.invalidate(["k"], "immediate");
    const after = cache.get("k", slow);
    release?.();
    releaseOld?.();
    await stale;
    expect(await after).toBe("hidden");
  });

  it("during a burst of coalescing writes alone, reads still share one reload per minRefreshMs", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 0 });
    const s = source();
    await cache.get("k", s.load);
    for (let i = 0; i < 100; i++) {
      s.set(`v${i}`);
      await cache.invalidate(["k"]);
      await cache.get("k", s.load);
      advance(3);
    }
    expect(s.loads).toBeLessThanOrEqual(1 + Math.ceil(300 / 50) + 1);
  });
});
