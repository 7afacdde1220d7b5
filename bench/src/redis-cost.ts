/**
 * The server-side CPU that the Redis
 * layer adds to one submission (its shared write-limit check, EVALSHA), with
 * each driver, measured in this process with process.cpuUsage(): CPU time, not
 * wall time, so other work on the machine changes it little.
 * `tsx src/redis-cost.ts [checks] [in flight] [callers] [rule]`: the checks go round robin
 * over that many callers (participants; default 300) under that write rule (default
 * 1000000/60s: never refused, over the defaults' one-minute window). The Upstash driver talks
 * to the REST bridge in a child process (it stands in for Upstash's servers:
 * not our CPU); the native one to the machine's Redis directly.
 */
import { randomUUID } from "node:crypto";
import { SharedRateLimiter, createRedisStore, defaultLimitRules, parseLimitRule } from "@caja/api";
import { randomBytes } from "node:crypto";
import { startMeasured } from "./servers";

const checks = Number(process.argv[2] ?? 4000);
/** Checks in flight: 64 is a burst (auto-pipelining batches them), 1 a quiet room (a round trip each). */
const lanes = Number(process.argv[3] ?? 64);
const callers = Number(process.argv[4] ?? 300);
const write = parseLimitRule(process.argv[5] ?? "1000000/60s");
if (!write) throw new Error(`not a limit rule: ${process.argv[5]}`);
const rules = { ...defaultLimitRules, write };

const redisUrl = "redis://127.0.0.1:6379/11";

async function measure(driver: "upstash" | "native") {
  const token = randomBytes(16).toString("hex");
  const port = String(20000 + Math.floor(Math.random() * 20000));
  const bridge =
    driver === "upstash"
      ? await startMeasured("redis bridge", "bridge", {
          env: { BENCH_REDIS_URL: redisUrl, BENCH_BRIDGE_PORT: port, BENCH_BRIDGE_TOKEN: token },
        })
      : null;
  const store = createRedisStore(bridge ? { upstash: { url: bridge.url, token } } : { redisUrl });
  if (!store) throw new Error("no store");
  const limiter = new SharedRateLimiter(store, rules, { keyPrefix: `cost-${randomUUID()}:` });
  const run = async (n: number) => {
    let next = 0;
    const lane = async () => {
      while (next < n) await limiter.check("write", `p${next++ % callers}`);
    };
    await Promise.all(Array.from({ length: lanes }, lane));
  };
  await run(500); // warm-up: scripts loaded, JIT warm
  const cpu = process.cpuUsage();
  const started = performance.now();
  await run(checks);
  const used = process.cpuUsage(cpu);
  const wallMs = performance.now() - started;
  await store.close();
  await bridge?.stop();
  return { driver, cpuUsPerCheck: (used.user + used.system) / checks, checksPerSecond: (checks / wallMs) * 1000 };
}

for (const driver of ["upstash", "native"] as const) {
  const r = await measure(driver);
  console.log(
    `${r.driver.padEnd(8)} ${r.cpuUsPerCheck.toFixed(0).padStart(5)} µs CPU per write-limit check in the server process, ${r.checksPerSecond.toFixed(0)} checks/s, ${lanes} in flight, ${callers} callers, ${process.argv[5] ?? "1000000/60s"}`,
  );
}
