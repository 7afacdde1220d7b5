import { randomUUID } from "node:crypto";
import { redisDrivers, startTestRedis, type TestRedis } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRedisStore, defaultLimitRules, SharedRateLimiter, type LimitRule, type RedisStore } from "../src/index";

const windowMs = 600_000;
// Mid-window and still: the sliding window weighs the previous window by the time inside this one.
const pinned = Math.floor(Date.now() / windowMs) * windowMs + windowMs / 2;

/** The real store, counting the limiter's calls into Redis. */
function counted(store: RedisStore): RedisStore & { calls: number } {
  const wrapper = {
    ...store,
    calls: 0,
    evalsha: (sha: string, keys: string[], args: unknown[]) => {
      wrapper.calls++;
      return store.evalsha(sha, keys, args);
    },
    eval: (script: string, keys: string[], args: unknown[]) => {
      wrapper.calls++;
      return store.eval(script, keys, args);
    },
  };
  return wrapper;
}

function storeFor(redis: TestRedis) {
  const store = createRedisStore(redis.store);
  if (!store) throw new Error("no Redis store for this driver");
  return counted(store);
}

describe.each(redisDrivers)("SharedRateLimiter through the %s driver", (driver) => {
  let redis: TestRedis;
  let stores: Array<RedisStore & { calls: number }> = [];
  beforeAll(async () => {
    redis = await startTestRedis(driver);
    stores = [storeFor(redis), storeFor(redis)];
  });
  afterAll(async () => {
    for (const store of stores) await store.close();
    await redis?.close();
  });

  /** Two instances sharing one Redis, each with its own connection and leases (no timeout fallback: the bound is under test). */
  function instances(write: LimitRule) {
    const keyPrefix = `test-${randomUUID()}:`;
    const rules = { ...defaultLimitRules, write };
    const [a, b] = stores.map(
      (store) => new SharedRateLimiter(store, rules, { keyPrefix, now: () => pinned, timeoutMs: 10_000 }),
    );
    if (!a || !b) throw new Error("two stores expected");
    return { a, b, storeA: stores[0] as RedisStore & { calls: number } };
  }
  const admitted = async (limiter: SharedRateLimiter, n: number, key = "p1") => {
    let ok = 0;
    for (let i = 0; i < n; i++) if ((await limiter.check("write", key)).ok) ok++;
    return ok;
  };

  it("spends a caller's steady requests from leases: one Redis call per lease, not per request", async () => {
    const { a, storeA } = instances({ limit: 1000, windowMs });
    const before = storeA.calls;
    expect(await admitted(a, 200)).toBe(200);
    // Leases of 100 (a tenth of the limit): two calls for 200 requests.
    expect(storeA.calls - before).toBe(2);
  });

  it("never admits more than the limit across instances, however their requests interleave", async () => {
    const { a, b } = instances({ limit: 100, windowMs });
    const burst = (limiter: SharedRateLimiter) => Array.from({ length: 40 }, () => limiter.check("write", "p1"));
    let ok = 0;
    for (let round = 0; round < 4; round++) {
      const results = await Promise.all([...burst(a), ...burst(b)]);
      ok += results.filter((r) => r.ok).length;
    }
    expect(ok).toBeLessThanOrEqual(100);
    // What either instance still holds is the rest of the limit: drained, exactly the limit was admitted.
    ok += (await admitted(a, 20)) + (await admitted(b, 20));
    expect(ok).toBe(100);
  });

  it("refuses a caller that moves to another instance at most one lease (a tenth of the limit) early", async () => {
    const { a, b } = instances({ limit: 100, windowMs });
    expect(await admitted(a, 50)).toBe(50);
    const onB = await admitted(b, 60);
    expect(onB).toBeGreaterThanOrEqual(40);
    expect(onB).toBeLessThanOrEqual(50);
    // The tokens A leased and did not spend are still A's: together, exactly the limit.
    expect(50 + onB + (await admitted(a, 20))).toBe(100);
  });

  it("checks a limit below ten in Redis on every call: exact across instances, with Retry-After", async () => {
    const { a, b } = instances({ limit: 4, windowMs });
    const results = [];
    for (let i = 0; i < 6; i++) results.push(await (i % 2 === 0 ? a : b).check("write", "p1"));
    expect(results.map((r) => r.ok)).toEqual([true, true, true, true, false, false]);
    expect(results[4]?.retryAfter).toBeGreaterThanOrEqual(1);
    expect(results[4]?.retryAfter).toBeLessThanOrEqual(windowMs / 1000);
  });

  it("gives a refunded token back to the instance that took it, never past the limit across instances", async () => {
    const { a, b } = instances({ limit: 4, windowMs });
    expect(await admitted(a, 4)).toBe(4);
    a.refund("write", "p1", pinned);
    a.refund("write", "p1", pinned);
    // Redis still counts the two: only A may spend them again.
    expect(await admitted(b, 2)).toBe(0);
    expect(await admitted(a, 3)).toBe(2);
    // A token from a window that has ended is not given back.
    a.refund("write", "p1", pinned - windowMs);
    expect(await admitted(a, 1)).toBe(0);
  });

  it("shares one lease among concurrent requests for a key: exactly the limit of 30 at once", async () => {
    const { a } = instances({ limit: 30, windowMs });
    const results = await Promise.all(Array.from({ length: 50 }, () => Promise.resolve(a.check("write", "p1"))));
    expect(results.filter((r) => r.ok)).toHaveLength(30);
    // Other keys have budgets of their own.
    expect((await a.check("write", "p2")).ok).toBe(true);
  });
});
