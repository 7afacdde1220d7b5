import { Redis } from "@upstash/redis";

/** The cross-instance layer: values are JSON strings with a TTL. */
export interface SharedCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(keys: string[]): Promise<void>;
}

export interface UpstashConfig {
  url: string;
  token: string;
}

/**
 * One Redis client (Upstash's REST protocol) for everything shared between
 * instances: the cache and the rate limits. Values come back as stored (the
 * cache keeps JSON strings; the limiter's scripts answer numbers).
 */
export function createUpstashRedis(config: UpstashConfig): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    // The cache and the limiter each have their own timeout and fallback; a retry would only add latency.
    retry: { retries: 0 },
    automaticDeserialization: false,
    enableTelemetry: false,
    // Commands issued in the same tick travel in one /pipeline request.
    enableAutoPipelining: true,
  });
}

/** The shared cache layer on a Redis client, under `prefix`. */
export function createUpstashCache(redis: Redis, prefix = "caja:"): SharedCache {
  return {
    get: (key) => redis.get<string>(prefix + key),
    set: async (key, value, ttlMs) => {
      await redis.set(prefix + key, value, { px: ttlMs });
    },
    del: async (keys) => {
      if (keys.length > 0) await redis.del(...keys.map((k) => prefix + k));
    },
  };
}
