import { redisDrivers, startTestRedis, type TestRedis } from "@caja/testing";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ReadThroughCache, createSharedCache } from "../src/cache";
import { createRedisStore, type RedisStore } from "../src/redis";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function counter() {
  let value = 0;
  let loads = 0;
  return {
    write: () => ++value,
    load: async () => {
      loads++;
      await sleep(1);
      return value;
    },
    get loads() {
      return loads;
    },
  };
}

describe("ReadThroughCache (per instance)", () => {
  it("loads once for many concurrent readers", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 1000 });
    const source = counter();
    const values = await Promise.all(Array.from({ length: 200 }, () => cache.get("k", source.load)));
    expect(new Set(values)).toEqual(new Set([0]));
    expect(source.loads).toBe(1);
  });

  it("counts its reads: hits, misses (a read that waited for a load), and reloads of a key it held", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 0 });
    const source = counter();
    await Promise.all([cache.get("k", source.load), cache.get("k", source.load)]);
    await cache.get("k", source.load);
    source.write();
    await cache.invalidate(["k"]);
    await cache.get("k", source.load);
    expect(cache.stats).toMatchObject({ localHits: 1, misses: 3, loads: 2, reloads: 1 });
  });

  it("shows a lone write at once", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50 });
    const source = counter();
    expect(await cache.get("k", source.load)).toBe(0);
    source.write();
    await cache.invalidate(["k"]);
    expect(await cache.get("k", source.load)).toBe(1);
  });

  it("does not cache a load that raced a write for later readers", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 0, maxStaleMs: 0 });
    let value = 0;
    const slow = async () => {
      const seen = value;
      await sleep(20);
      return seen;
    };
    const racing = cache.get("k", slow);
    value = 1;
    await cache.invalidate(["k"]);
    expect(await racing).toBe(0);
    expect(await cache.get("k", slow)).toBe(1);
  });

  describe("on a clock the test moves (only Date is faked: loads still run on real timers)", () => {
    beforeEach(() => {
      vi.useFakeTimers({ toFake: ["Date"] });
    });
    afterEach(() => {
      vi.useRealTimers();
    });
    const advance = (ms: number) => vi.setSystemTime(Date.now() + ms);

    it("answers an expired value while one refill runs, then the refilled one", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 20, maxStaleMs: 1000 });
      const source = counter();
      expect(await cache.get("k", source.load)).toBe(0);
      source.write();
      advance(30);
      const during = await Promise.all([cache.get("k", source.load), cache.get("k", source.load)]);
      expect(during).toEqual([0, 0]);
      // Until the refill lands (not vi.waitFor: under fake timers it moves the clock).
      while ((await cache.get("k", source.load)) !== 1) await sleep(1);
      expect(source.loads).toBe(2);
    });

    it("reloads before answering once a value is older than its TTL plus maxStaleMs", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 10, maxStaleMs: 10 });
      const source = counter();
      await cache.get("k", source.load);
      source.write();
      advance(21);
      expect(await cache.get("k", source.load)).toBe(1);
    });

    it("in a burst, a read past minRefreshMs answers the last value while one reload runs, then shows the last write", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 1_000 });
      const source = counter();
      expect(await cache.get("k", source.load)).toBe(0);
      source.write();
      await cache.invalidate(["k"]);
      expect(await cache.get("k", source.load)).toBe(1);
      // A second write within minRefreshMs of the first: a burst.
      source.write();
      await cache.invalidate(["k"]);
      advance(60);
      expect(await cache.get("k", source.load)).toBe(1);
      while ((await cache.get("k", source.load)) !== 2) await sleep(1);
      expect(source.loads).toBe(3);
    });

    it("in a burst, readers do not queue behind a slow reload; without one (a lone write) they wait for it", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 1_000 });
      let value = 0;
      let release: (() => void) | undefined;
      // A load that ends only when the test says so: a read that waits for it never settles.
      const slowLoad = () => new Promise<number>((resolve) => (release = () => resolve(value)));
      const settled = async (read: Promise<number>) => Promise.race([read, sleep(20).then(() => "pending" as const)]);
      const first = cache.get("k", slowLoad);
      release?.();
      expect(await first).toBe(0);
      value = 1;
      await cache.invalidate(["k"]);
      value = 2;
      await cache.invalidate(["k"]); // 0 ms after the first write: a burst
      advance(60);
      expect(await settled(cache.get("k", slowLoad))).toBe(0);
      release?.();
      while ((await cache.get("k", slowLoad)) !== 2) await sleep(1);
      // A lone write (the last one was long ago): the writer's next read waits for the reload.
      advance(1_000);
      value = 3;
      await cache.invalidate(["k"]);
      expect(await settled(cache.get("k", slowLoad))).toBe("pending");
      release?.();
    });

    it("during a burst, a slow load is followed by as much idle time before the next reload", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 10, maxStaleMs: 1_000 });
      let value = 0;
      let loads = 0;
      // A load that takes 40 ms of the clock the test moves; reads and writes go on meanwhile.
      const load = async () => {
        loads++;
        const began = Date.now();
        while (Date.now() - began < 40) await sleep(1);
        return value;
      };
      const first = cache.get("k", load);
      advance(40);
      await first;
      loads = 0;
      // 400 ms of writes 5 ms apart, each followed by a read.
      for (let t = 0; t < 400; t += 5) {
        value++;
        await cache.invalidate(["k"]);
        void cache.get("k", load).catch(() => undefined);
        await sleep(2);
        advance(5);
      }
      // Paced, a 40 ms reload is followed by 40 ms without one: about 400 / 80. Unpaced, a
      // reload started every minRefreshMs (40) or ran back to back (10).
      expect(loads).toBeGreaterThanOrEqual(3);
      expect(loads).toBeLessThanOrEqual(7);
    });

    it("a write mark dropped to stay within maxWriteMarks does not make an older value fresh", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 0, maxStaleMs: 0 });
      const source = counter();
      expect(await cache.get("k", source.load)).toBe(0);
      source.write();
      await cache.invalidate(["k"]);
      // 100,000 other keys written after it: k's mark is the oldest, dropped first.
      await cache.invalidate(Array.from({ length: 100_000 }, (_, i) => `other-${i}`));
      expect(await cache.get("k", source.load)).toBe(1);
    });

    it("reloads at most every minRefreshMs during a write burst, and ends up current", async () => {
      const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 0 });
      const source = counter();
      // 100 writes 3 ms apart, each followed by a read: a reload per write would be 100.
      for (let i = 0; i < 100; i++) {
        source.write();
        await cache.invalidate(["k"]);
        await cache.get("k", source.load);
        advance(3);
      }
      expect(source.loads).toBeGreaterThanOrEqual(300 / 50);
      expect(source.loads).toBeLessThanOrEqual(300 / 50 + 2);
      advance(60);
      expect(await cache.get("k", source.load)).toBe(100);
    });
  });
});

describe("ReadThroughCache.versionOf (what conditional polls name their state by)", () => {
  it("a reload that finds the same content keeps the value object, and so its version", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 0, maxStaleMs: 0 });
    let record = { count: 1, at: "a" };
    const load = () => Promise.resolve({ ...record });
    const first = await cache.get("k", load);
    await cache.invalidate(["k"]);
    const reloaded = await cache.get("k", load);
    expect(reloaded).toBe(first);
    expect(cache.versionOf(reloaded)).toBe(cache.versionOf(first));

    record = { count: 2, at: "b" };
    await cache.invalidate(["k"]);
    const changed = await cache.get("k", load);
    expect(changed).toEqual(record);
    expect(cache.versionOf(changed)).not.toBe(cache.versionOf(first));
  });

  it("content that comes back is a new version, never the earlier one", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 0, maxStaleMs: 0 });
    let count = 1;
    const load = () => Promise.resolve({ count });
    const versions = [];
    for (const next of [1, 2, 1]) {
      count = next;
      await cache.invalidate(["k"]);
      versions.push(cache.versionOf(await cache.get("k", load)));
    }
    expect(new Set(versions).size).toBe(3);
    expect(cache.versionOf(null)).toBe(0);
  });
});

describe.each(redisDrivers)("ReadThroughCache with the shared Redis layer (%s driver)", (driver) => {
  let redis: TestRedis;
  const stores: RedisStore[] = [];
  const prefix = `rt-test-${randomUUID()}:`;
  beforeAll(async () => {
    redis = await startTestRedis(driver);
  });
  afterAll(async () => {
    await Promise.all(stores.map((s) => s.close()));
    await redis?.close().catch(() => undefined);
  });
  const store = () => {
    const s = createRedisStore(redis.store);
    if (!s) throw new Error("no Redis configured");
    stores.push(s);
    return s;
  };

  // A long shared TTL: the entry must still be there when a loaded machine gets round to reading it;
  // a patient timeout: a Redis call abandoned on a busy machine opens the breaker and skips the SET.
  const instance = (sharedTimeoutMs = 2_000) =>
    new ReadThroughCache({
      shared: createSharedCache(store(), prefix),
      localTtlMs: 100,
      sharedTtlMs: 10_000,
      maxStaleMs: 0,
      sharedTimeoutMs,
    });

  it("a second instance is answered from Redis, and sees the first one's write within the TTLs", async () => {
    const a = instance();
    const b = instance();
    const source = counter();
    expect(await a.get("k", source.load)).toBe(0);
    // The shared SET is fire-and-forget: wait until Redis holds it rather than for a guessed time.
    const raw = store();
    while ((await raw.get(`${prefix}k~o`)) === null) await sleep(5);
    expect(await b.get("k", source.load)).toBe(0);
    expect(source.loads).toBe(1);
    expect(b.stats.sharedHits).toBe(1);

    source.write();
    await a.invalidate(["k"]);
    expect(await a.get("k", source.load)).toBe(1);
    // Seen once b's local copy expires (how soon another instance sees a write is measured elsewhere).
    await vi.waitFor(async () => expect(await b.get("k", source.load)).toBe(1), { timeout: 10_000, interval: 10 });
  });

  it("answers from the loader when Redis is gone, and opens its breaker", async () => {
    const cache = instance(150);
    const source = counter();
    await redis.close();
    // That it does not wait past the timeout for a Redis that answers late: slow-redis.test.ts.
    expect(await cache.get("gone", source.load)).toBe(0);
    expect(cache.stats.sharedErrors).toBeGreaterThanOrEqual(1);
    expect(cache.sharedAvailable).toBe(false);
  });
});
