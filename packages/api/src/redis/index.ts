import { Redis as UpstashRedis } from "@upstash/redis";
import { Redis as IORedis } from "ioredis";

/**
 * What the cache and the rate limiter need from Redis, with two drivers:
 * Upstash's REST protocol (serverless, Upstash) and native RESP over one
 * pipelined TCP connection (a long-running server next to its own Redis).
 * The same suites run against both (see the tests' `redisDrivers`).
 */
export interface RedisStore {
  readonly driver: "upstash" | "native";
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(keys: string[]): Promise<void>;
  /** Lua by hash; rejects with an error whose message contains NOSCRIPT when Redis does not know it. */
  evalsha(sha: string, keys: string[], args: unknown[]): Promise<unknown>;
  eval(script: string, keys: string[], args: unknown[]): Promise<unknown>;
  /** Ends the connection (native); nothing to end for REST. */
  close(): Promise<void>;
}

export interface UpstashConfig {
  url: string;
  token: string;
}

/** Upstash's REST protocol: one HTTP request per tick's commands (auto-pipelining). */
export function createUpstashRedis(config: UpstashConfig): RedisStore {
  const redis = new UpstashRedis({
    url: config.url,
    token: config.token,
    // The cache and the limiter each have their own timeout and fallback; a retry would only add latency.
    retry: { retries: 0 },
    automaticDeserialization: false,
    enableTelemetry: false,
    // Commands issued in the same tick travel in one /pipeline request.
    enableAutoPipelining: true,
  });
  return {
    driver: "upstash",
    get: (key) => redis.get<string>(key),
    set: async (key, value, ttlMs) => {
      await redis.set(key, value, { px: ttlMs });
    },
    del: async (keys) => {
      if (keys.length > 0) await redis.del(...keys);
    },
    evalsha: (sha, keys, args) => redis.evalsha(sha, keys, args),
    eval: (script, keys, args) => redis.eval(script, keys, args),
    close: () => Promise.resolve(),
  };
}

/**
 * Native RESP through ioredis: one connection, commands of the same tick
 * written together (auto-pipelining). While Redis is unreachable, commands fail
 * after one reconnect attempt instead of queueing without bound: the cache and
 * the limiter fall back on their own (breaker, per-instance buckets).
 */
export function createNativeRedis(url: string): RedisStore {
  const redis = new IORedis(url, {
    enableAutoPipelining: true,
    // RESP2 replies have the shapes Upstash's REST protocol gives (Lua tables as arrays, integers as numbers).
    protocol: 2,
    maxRetriesPerRequest: 1,
    connectTimeout: 2_000,
    retryStrategy: (attempt) => Math.min(50 * attempt, 1_000),
    lazyConnect: false,
  });
  // Errors reach the callers through their commands; without a listener ioredis logs each reconnect failure.
  redis.on("error", () => undefined);
  return {
    driver: "native",
    get: (key) => redis.get(key),
    set: async (key, value, ttlMs) => {
      await redis.set(key, value, "PX", ttlMs);
    },
    del: async (keys) => {
      if (keys.length > 0) await redis.del(...keys);
    },
    evalsha: (sha, keys, args) => redis.evalsha(sha, keys.length, ...keys, ...args.map(String)),
    eval: (script, keys, args) => redis.eval(script, keys.length, ...keys, ...args.map(String)),
    close: async () => {
      await redis.quit().catch(() => redis.disconnect());
    },
  };
}

/** `REDIS_URL` or the `UPSTASH_REDIS_REST_*` pair (the configuration refuses both at once). */
export function createRedisStore(config: { redisUrl?: string; upstash?: UpstashConfig }): RedisStore | null {
  if (config.redisUrl) return createNativeRedis(config.redisUrl);
  if (config.upstash) return createUpstashRedis(config.upstash);
  return null;
}
