/**
 * Test infrastructure: a Redis that answers late. A TCP proxy in front of the
 * machine's Redis holds every reply for `delayMs` (in order, as a busy Redis
 * or a congested link would), and either driver is pointed at it.
 */
import { createServer, connect, type Socket } from "node:net";
import { performance } from "node:perf_hooks";
import { startTestRedis, type RedisDriver, type TestRedis } from "./test-redis";

export interface SlowRedis extends TestRedis {
  /** From now on, each reply leaves the proxy this long after Redis sent it. */
  setDelay(ms: number): void;
  /** Resolves once every reply held so far has been passed on. */
  drained(): Promise<void>;
}

export async function startSlowRedis(driver: RedisDriver, redisUrl = "redis://127.0.0.1:6379"): Promise<SlowRedis> {
  const proxy = await startDelayingProxy(new URL(redisUrl));
  const target = new URL(redisUrl);
  target.hostname = "127.0.0.1";
  target.port = String(proxy.port);
  const redis = await startTestRedis(driver, target.href);
  return {
    ...redis,
    setDelay: proxy.setDelay,
    drained: proxy.drained,
    close: async () => {
      await redis.close();
      await proxy.close();
    },
  };
}

async function startDelayingProxy(target: URL) {
  let delayMs = 0;
  const sockets = new Set<Socket>();
  // Every connection's replies, each behind the ones before it.
  const queues = new Set<Promise<void>>();
  const wait = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, Math.max(0, ms)));

  const server = createServer((client) => {
    const upstream = connect({ host: target.hostname.replace(/^\[|\]$/g, ""), port: Number(target.port || 6379) });
    for (const s of [client, upstream]) {
      sockets.add(s);
      s.on("close", () => sockets.delete(s));
      s.on("error", () => undefined);
    }
    client.pipe(upstream);
    let queue = Promise.resolve();
    upstream.on("data", (chunk: Buffer) => {
      // performance.now, not Date.now: tests may move the wall clock to reach a breaker's reset.
      const due = performance.now() + delayMs;
      const next = queue
        .then(() => wait(due - performance.now()))
        .then(() => {
          if (!client.destroyed) client.write(chunk);
        });
      queue = next;
      queues.add(next);
      void next.finally(() => queues.delete(next));
    });
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => void queue.then(() => client.destroy()));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (!address || typeof address === "string") throw new Error("proxy has no port");
  return {
    port: address.port,
    setDelay: (ms: number) => {
      delayMs = ms;
    },
    drained: async () => {
      while (queues.size > 0) await Promise.all([...queues]);
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        for (const s of sockets) s.destroy();
      }),
  };
}
