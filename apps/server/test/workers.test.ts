import { spawn, type ChildProcess } from "node:child_process";
import { randomUUID } from "node:crypto";
import { request } from "node:http";
import { join } from "node:path";
import { createFreshPostgres, startTestRedis, type TestRedis } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseScrape } from "./scrape";

/**
 * CAJA_WORKERS=2 as an operator runs it: `main.ts` in a process of its own on
 * PostgreSQL and native Redis; both workers answer on one port, and SIGTERM to
 * the supervisor stops them all cleanly. /metrics, on whichever worker, sums every worker's.
 */
const METRICS_TOKEN = "workers-metrics-token-0123456789";
let child: ChildProcess;
let redis: TestRedis;
let dropDb: () => Promise<void>;
let output = "";
let exited: Promise<number | null>;

const waitFor = async (what: string, test: () => boolean, ms = 120_000) => {
  const started = Date.now();
  while (!test()) {
    if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}:\n${output}`);
    await new Promise((r) => setTimeout(r, 50));
  }
};

/** A new connection per request, so the cluster hands each to the next worker. */
const get = (port: number, path: string, headers: Record<string, string> = {}) =>
  new Promise<{ status: number; worker: string | undefined; body: string }>((resolve, reject) => {
    const req = request({ host: "127.0.0.1", port, path, agent: false, headers }, (res) => {
      let body = "";
      res.on("data", (chunk: Buffer) => (body += chunk.toString()));
      res.on("end", () =>
        resolve({ status: res.statusCode ?? 0, worker: res.headers["x-caja-worker"] as string | undefined, body }),
      );
    });
    req.on("error", reject);
    req.end();
  });

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  redis = await startTestRedis("native");
  const db = await createFreshPostgres();
  dropDb = db.drop;
  child = spawn(process.execPath, ["--import", "tsx", join(import.meta.dirname, "../src/main.ts")], {
    cwd: join(import.meta.dirname, ".."),
    env: {
      ...process.env,
      ...redis.env,
      REDIS_KEY_PREFIX: `test-${randomUUID()}:`,
      DATABASE_URL: db.url,
      JWT_SECRET: "w".repeat(40),
      CAJA_WORKERS: "2",
      PORT: "0",
      HOST: "127.0.0.1",
      SHUTDOWN_TIMEOUT_MS: "2000",
      METRICS_TOKEN,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  child.stderr?.on("data", (chunk: Buffer) => (output += chunk.toString("utf8")));
  exited = new Promise((resolve) => child.once("exit", (code) => resolve(code)));
}, 30_000);

afterAll(async () => {
  if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
  await redis?.close();
  await dropDb?.();
});

describe("CAJA_WORKERS=2 on PostgreSQL and Redis", () => {
  it("serves from both workers on one port, and SIGTERM stops every process with exit code 0", async () => {
    await waitFor("both workers", () => /2 workers listening on port (\d+)/.test(output));
    const port = Number(/2 workers listening on port (\d+)/.exec(output)?.[1]);
    // Each worker's own line comes from its process: it may follow the supervisor's.
    await waitFor("each worker's line", () => [...output.matchAll(/worker (\d+) \(pid (\d+)\)/g)].length === 2);
    const pids = [...output.matchAll(/worker (\d+) \(pid (\d+)\)/g)].map((m) => Number(m[2]));
    expect(pids).toHaveLength(2);
    expect(new Set(pids).size).toBe(2);

    const seen = new Set<string>();
    let sent = 0;
    for (let i = 0; i < 40 && seen.size < 2; i++) {
      const res = await get(port, i % 2 ? "/health" : "/ready");
      sent++;
      expect(res.status).toBe(200);
      if (res.worker) seen.add(res.worker);
    }
    expect([...seen].sort()).toEqual(["1", "2"]);

    // Both workers answered some: the scrape, wherever it lands, counts them all.
    const served = async () => {
      const scrape = await get(port, "/metrics", { authorization: `Bearer ${METRICS_TOKEN}` });
      expect(scrape.status).toBe(200);
      const parsed = parseScrape(scrape.body);
      return ["/health", "/ready"].reduce(
        (n, route) => n + (parsed.count("caja_http_request_duration_seconds", { route, status: "200" }) ?? 0),
        0,
      );
    };
    let counted = await served();
    for (let tries = 0; counted !== sent && tries < 50; tries++) {
      await new Promise((r) => setTimeout(r, 100));
      counted = await served();
    }
    expect(counted).toBe(sent);
    const workersLogged = new Set(
      output
        .split("\n")
        .filter((line) => line.startsWith("{") && line.includes('"msg":"request"'))
        .map((line) => (JSON.parse(line) as { worker?: number }).worker),
    );
    expect([...workersLogged].sort()).toEqual([1, 2]);

    child.kill("SIGTERM");
    expect(await exited).toBe(0);
    expect(output).toMatch(/SIGTERM: stopping 2 workers/);
    await waitFor("the workers to be gone", () => pids.every((pid) => !alive(pid)), 10_000);
  }, 150_000);
});
