import { redisDrivers, startSlowRedis, type SlowRedis } from "@caja/testing";
import { randomUUID } from "node:crypto";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from "vitest";
import { ReadThroughCache, createSharedCache } from "../src/cache";
import { createNativeRedis, createRedisStore, type RedisStore } from "../src/redis";

/**
 * The shared cache with its shipped defaults (a Redis call abandoned after 150 ms, then Redis skipped
 * for 5 s) in front of a real Redis that answers late: a proxy holds its replies. The 5 s are crossed by
 * moving the wall clock (only Date is faked; timers and sockets run for real).
 */
describe.each(redisDrivers)("ReadThroughCache with a slow Redis (%s driver)", (driver) => {
  let slow: SlowRedis;
  let direct: RedisStore;
  const stores: RedisStore[] = [];
  const prefix = `slow-test-${randomUUID()}:`;
  beforeAll(async () => {
    slow = await startSlowRedis(driver);
    direct = createNativeRedis("redis://127.0.0.1:6379");
  });
  afterEach(() => {
    vi.useRealTimers();
    slow.setDelay(0);
  });
  afterAll(async () => {
    await Promise.all([...stores, direct].map((s) => s?.close()));
    await slow?.close();
  });

  beforeEach(() => {
    vi.useFakeTimers({ toFake: ["Date"] });
  });

  /** Redis holds "redis" for the key; the database would answer "database". */
  const seeded = async (key: string) => {
    // The shared layer's format: the value with the time its database read began.
    await direct.set(`${prefix}${key}~o`, JSON.stringify({ o: Date.now(), v: "redis" }), 60_000);
    return key;
  };
  const fromDatabase = () => Promise.resolve("database");

  /**
   * A cache with the defaults under test (no timeout or breaker option), once Redis has answered it:
   * a first call that a loaded machine makes slower than 150 ms is retried after moving the clock
   * past the breaker.
   */
  const warmCache = async () => {
    const store = createRedisStore(slow.store);
    if (!store) throw new Error("no Redis configured");
    stores.push(store);
    const c = new ReadThroughCache({ shared: createSharedCache(store, prefix), localTtlMs: 0, maxStaleMs: 0 });
    for (let i = 0; i < 10; i++) {
      if ((await c.get(await seeded(`warm-${i}`), fromDatabase)) === "redis") return c;
      vi.setSystemTime(Date.now() + 5_100);
    }
    throw new Error("Redis never answered within 150 ms");
  };

  it("abandons a Redis call slower than 150 ms: the database answers and the breaker opens", async () => {
    const c = await warmCache();
    const { sharedHits, sharedErrors } = c.stats;
    slow.setDelay(500);
    expect(await c.get(await seeded("late"), fromDatabase)).toBe("database");
    expect(c.stats.sharedErrors).toBe(sharedErrors + 1);
    expect(c.sharedAvailable).toBe(false);
    // While it is open Redis is not asked at all: a value it holds is not seen.
    slow.setDelay(0);
    await slow.drained();
    expect(await c.get(await seeded("skipped"), fromDatabase)).toBe("database");
    expect(c.stats).toMatchObject({ sharedHits, sharedErrors: sharedErrors + 1 });
  });

  it("keeps Redis skipped for 5 s after a failure, then asks it again", async () => {
    const c = await warmCache();
    const { sharedHits, sharedErrors } = c.stats;
    const openedAt = Date.now();
    slow.setDelay(500);
    expect(await c.get(await seeded("opens"), fromDatabase)).toBe("database");
    expect(c.sharedAvailable).toBe(false);
    slow.setDelay(0);
    await slow.drained();

    vi.setSystemTime(openedAt + 4_900);
    expect(c.sharedAvailable).toBe(false);
    expect(await c.get(await seeded("still-open"), fromDatabase)).toBe("database");
    expect(c.stats.sharedHits).toBe(sharedHits);

    vi.setSystemTime(openedAt + 5_100);
    expect(c.sharedAvailable).toBe(true);
    expect(await c.get(await seeded("closed"), fromDatabase)).toBe("redis");
    expect(c.stats).toMatchObject({ sharedHits: sharedHits + 1, sharedErrors: sharedErrors + 1 });
  });
});
