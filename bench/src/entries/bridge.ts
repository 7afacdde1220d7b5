/**
 * The Upstash REST-to-Redis bridge in its own process: in production Upstash is
 * another machine, so its cost must not be counted as the server's.
 */
import { startRedisBridge } from "@caja/testing";
import { sendToParent, stopWith } from "./ipc";

const bridge = await startRedisBridge({
  redisUrl: process.env.BENCH_REDIS_URL,
  port: Number(process.env.BENCH_BRIDGE_PORT ?? 0),
  token: process.env.BENCH_BRIDGE_TOKEN,
});
stopWith(() => bridge.close());
sendToParent({ type: "ready", url: bridge.url, extra: { token: bridge.token } });
