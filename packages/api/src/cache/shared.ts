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

/** Redis through Upstash's REST protocol (`@upstash/redis`). */
export function createUpstashCache(config: UpstashConfig, prefix = "caja:"): SharedCache {
  const redis = new Redis({
    url: config.url,
    token: config.token,
    // The read-through cache has its own timeout and breaker; a retry would only add latency.
    retry: { retries: 0 },
    automaticDeserialization: false,
    enableTelemetry: false,
    // Commands issued in the same tick travel in one /pipeline request.
    enableAutoPipelining: true,
  });
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

export function createUpstashRedis(config: UpstashConfig): Redis {
  return new Redis({
    url: config.url,
    token: config.token,
    retry: { retries: 0 },
    enableTelemetry: false,
    enableAutoPipelining: true,
  });
}
