import { redisDrivers, startTestRedis, type TestRedis } from "@caja/testing";
import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

  it("answers an expired value while one refill runs, then the refilled one", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 20, maxStaleMs: 1000 });
    const source = counter();
    expect(await cache.get("k", source.load)).toBe(0);
    source.write();
    await sleep(30);
    const during = await Promise.all([cache.get("k", source.load), cache.get("k", source.load)]);
    expect(during).toEqual([0, 0]);
    await sleep(10);
    expect(await cache.get("k", source.load)).toBe(1);
    expect(source.loads).toBe(2);
  });

  it("reloads before answering once a value is older than its TTL plus maxStaleMs", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10, maxStaleMs: 10 });
    const source = counter();
    await cache.get("k", source.load);
    source.write();
    await sleep(30);
    expect(await cache.get("k", source.load)).toBe(1);
  });

  it("reloads at most every minRefreshMs during a write burst, and ends up current", async () => {
    const cache = new ReadThroughCache({ localTtlMs: 10_000, minRefreshMs: 50, maxStaleMs: 0 });
    const source = counter();
    const started = Date.now();
    while (Date.now() - started < 300) {
      source.write();
      await cache.invalidate(["k"]);
      await cache.get("k", source.load);
      await sleep(2);
    }
    // ~100 writes in 300 ms: a reload per write would be ~100.
    expect(source.loads).toBeLessThanOrEqual(300 / 50 + 3);
    await sleep(60);
    expect(await cache.get("k", source.load)).toBe(source.write() - 1);
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
    while ((await raw.get(`${prefix}k`)) === null) await sleep(5);
    expect(await b.get("k", source.load)).toBe(0);
    expect(source.loads).toBe(1);
    expect(b.stats.sharedHits).toBe(1);

    source.write();
    await a.invalidate(["k"]);
    expect(await a.get("k", source.load)).toBe(1);
    const started = Date.now();
    while ((await b.get("k", source.load)) !== 1) await sleep(10);
    expect(Date.now() - started).toBeLessThan(1000);
  });

  it("answers from the loader when Redis is gone, and opens its breaker", async () => {
    const cache = instance(150);
    const source = counter();
    await redis.close();
    const started = Date.now();
    expect(await cache.get("gone", source.load)).toBe(0);
    expect(Date.now() - started).toBeLessThan(500);
    expect(cache.stats.sharedErrors).toBeGreaterThanOrEqual(1);
    expect(cache.sharedAvailable).toBe(false);
  });
});
