/**
 * Test/bench infrastructure: the machine's Redis reached through either of the
 * server's drivers, so one suite runs against both. Each handle can be closed
 * to make Redis "go away" for its clients without touching the real server:
 * the Upstash driver talks to a REST bridge, the native one to a TCP relay.
 */
import { startRedisBridge } from "./redis-bridge";
import { startTcpRelay } from "./tcp-relay";

export const redisDrivers = ["upstash", "native"] as const;
export type RedisDriver = (typeof redisDrivers)[number];

export interface TestRedis {
  driver: RedisDriver;
  /** The server's environment for this driver (REDIS_URL, or the UPSTASH_REDIS_REST_* pair). */
  env: Record<string, string>;
  /** What `createRedisStore` takes. */
  store: { redisUrl?: string; upstash?: { url: string; token: string } };
  /** Cuts every client off and refuses new connections. */
  close(): Promise<void>;
}

export async function startTestRedis(driver: RedisDriver, redisUrl = "redis://127.0.0.1:6379"): Promise<TestRedis> {
  if (driver === "upstash") {
    const bridge = await startRedisBridge({ redisUrl });
    return {
      driver,
      env: { UPSTASH_REDIS_REST_URL: bridge.url, UPSTASH_REDIS_REST_TOKEN: bridge.token },
      store: { upstash: { url: bridge.url, token: bridge.token } },
      close: () => bridge.close(),
    };
  }
  const target = new URL(redisUrl);
  const relay = await startTcpRelay({ host: target.hostname.replace(/^\[|\]$/g, ""), port: Number(target.port || 6379) });
  const url = new URL(redisUrl);
  url.hostname = "127.0.0.1";
  url.port = String(relay.port);
  return { driver, env: { REDIS_URL: url.href }, store: { redisUrl: url.href }, close: () => relay.close() };
}
