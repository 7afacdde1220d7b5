import type { RedisStore } from "../redis";

/** What the shared store holds (as JSON): the value and the time its database read began. */
export interface SharedValue {
  o: number;
  v: unknown;
}

/** Shared values carry their origin; the suffix keeps them apart from older instances' bare values. */
export const sharedKey = (key: string) => `${key}~o`;

/** The cross-instance layer: values are JSON strings with a TTL. */
export interface SharedCache {
  get(key: string): Promise<string | null>;
  set(key: string, value: string, ttlMs: number): Promise<void>;
  del(keys: string[]): Promise<void>;
}

/** The shared cache layer on either Redis driver, under `prefix`. */
export function createSharedCache(redis: RedisStore, prefix = "caja:"): SharedCache {
  return {
    get: (key) => redis.get(prefix + key),
    set: (key, value, ttlMs) => redis.set(prefix + key, value, ttlMs),
    del: (keys) => redis.del(keys.map((k) => prefix + k)),
  };
}
