import { randomUUID } from "node:crypto";
import { Ratelimit } from "@upstash/ratelimit";
import { Redis } from "@upstash/redis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startRedisBridge, type RedisBridge } from "../src/redis-bridge";

// Parallel runs share one Redis, so every key lives under this run's prefix.
const prefix = `caja-test:bridge:${randomUUID()}:`;
let bridge: RedisBridge;
let redis: Redis;

beforeAll(async () => {
  bridge = await startRedisBridge();
  redis = new Redis({ url: bridge.url, token: bridge.token });
});

afterAll(async () => {
  if (!bridge) return;
  const keys = await redis.keys(`${prefix}*`);
  if (keys.length) await redis.del(...keys);
  await bridge.close();
});

describe("Upstash REST bridge to a real Redis", () => {
  it("runs single commands with base64 responses", async () => {
    const key = `${prefix}plain`;
    expect(await redis.set(key, "héllo ✓", { px: 500 })).toBe("OK");
    expect(await redis.get(key)).toBe("héllo ✓");
    expect(await redis.pttl(key)).toBeGreaterThan(0);
    expect(await redis.incr(`${prefix}n`)).toBe(1);
    expect(await redis.incr(`${prefix}n`)).toBe(2);
    expect(await redis.ping()).toBe("PONG");
    expect(await redis.del(key)).toBe(1);
    expect(await redis.get(key)).toBeNull();
  });

  it("maps Redis errors to rejected commands", async () => {
    await redis.set(`${prefix}text`, "abc");
    await expect(redis.incr(`${prefix}text`)).rejects.toThrow(/not an integer/);
  });

  it("runs explicit pipelines and transactions, keeping per-command errors", async () => {
    const p = redis.pipeline();
    p.set(`${prefix}p`, "OK").incr(`${prefix}p`).mget(`${prefix}p`, `${prefix}missing`).incrby(`${prefix}c`, 5);
    const results = await p.exec({ keepErrors: true });
    expect(results.map((r) => r.result)).toEqual(["OK", undefined, ["OK", null], 5]);
    expect(results[1]?.error).toMatch(/not an integer/);

    const tx = redis.multi();
    tx.set(`${prefix}t`, 1).incr(`${prefix}t`).get(`${prefix}t`);
    expect(await tx.exec()).toEqual(["OK", 2, 2]);
  });

  it("serves plain JSON when the client asks for no encoding", async () => {
    const raw = new Redis({ url: bridge.url, token: bridge.token, responseEncoding: false });
    await raw.set(`${prefix}raw`, "ünï");
    expect(await raw.get(`${prefix}raw`)).toBe("ünï");
  });

  it("supports SCRIPT LOAD / EVALSHA", async () => {
    const sha = await redis.scriptLoad("return {KEYS[1], ARGV[1], 7}");
    expect(await redis.evalsha(sha, [`${prefix}k`], ["v"])).toEqual([`${prefix}k`, "v", 7]);
  });

  it("lets @upstash/ratelimit allow 3 calls then deny", async () => {
    const limiter = new Ratelimit({
      redis,
      limiter: Ratelimit.slidingWindow(3, "10 s"),
      prefix: `${prefix}rl`,
      analytics: false,
    });
    const outcomes = [];
    for (let i = 0; i < 4; i++) outcomes.push((await limiter.limit("user-1")).success);
    expect(outcomes).toEqual([true, true, true, false]);
  });

  it("rejects a wrong token with 401", async () => {
    const res = await fetch(bridge.url, { method: "POST", headers: { authorization: "Bearer nope" }, body: '["PING"]' });
    expect(res.status).toBe(401);
    const wrong = new Redis({ url: bridge.url, token: "nope", enableAutoPipelining: false });
    await expect(wrong.ping()).rejects.toThrow(/Unauthorized/);
  });

  it("closes promptly despite keep-alive connections", async () => {
    const other = await startRedisBridge();
    const client = new Redis({ url: other.url, token: other.token, retry: false });
    expect(await client.ping()).toBe("PONG");
    const started = Date.now();
    await other.close();
    expect(Date.now() - started).toBeLessThan(500);
    await expect(client.ping()).rejects.toThrow();
  });
});
