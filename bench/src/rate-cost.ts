/**
 * Server CPU per request of one polling route (session status, 304 path, each
 * participant sending its own ETag), by how requests arrive: open loop at fixed
 * rates (each request mostly alone, as in the room) and closed loop (wrk-like,
 * many per event-loop turn). With `--base <dir>` a second server runs from
 * another checkout (e.g. a worktree of main) and each phase runs on both,
 * alternating, so the two are compared under the same machine load.
 *
 *   pnpm --filter @caja/bench exec tsx src/rate-cost.ts [--participants 2000] [--seconds 6]
 *     [--rounds 2] [--phases open1500,closed32] [--base /path/to/other/checkout/bench]
 */
import { parseArgs } from "node:util";
import { TokenService } from "@caja/api";
import { createFreshPostgres } from "@caja/testing";
import type { Pool } from "undici";
import { callJson, createPool, paths } from "./http";
import { ProcessMeter } from "./resources";
import { Scheduler } from "./schedule";
import { joinAll, openRoom, type Participant } from "./setup";
import { startStack, type Undo } from "./stack";
import { ErrorLedger } from "./stats";

const { values } = parseArgs({
  options: {
    participants: { type: "string", default: "2000" },
    seconds: { type: "string", default: "6" },
    rounds: { type: "string", default: "2" },
    phases: { type: "string", default: "open500,open1500,closed1,closed32" },
    base: { type: "string" },
    /** Extra environment for this checkout's server only, KEY=VALUE (e.g. to A/B a setting against --base). */
    "this-env": { type: "string", multiple: true, default: [] },
  },
});
const participantCount = Number(values.participants);
const seconds = Number(values.seconds);
const undo: Undo = [];
const ledger = new ErrorLedger();

interface Target {
  name: string;
  url: string;
  pid: number;
  path: string;
  participants: Participant[];
}

async function poll(pool: Pool, path: string, p: Participant): Promise<number> {
  const res = await pool.request({
    method: "GET",
    path,
    headers: { authorization: p.authorization, ...(p.sessionEtag ? { "if-none-match": p.sessionEtag } : {}) },
  });
  await res.body.dump();
  const etag = res.headers.etag;
  if (typeof etag === "string") p.sessionEtag = etag;
  return res.statusCode;
}

async function startTarget(name: string, benchRoot: string | undefined, serverEnv: Record<string, string>): Promise<Target> {
  const fresh = await createFreshPostgres("caja_ratecost");
  undo.push([`${name} db`, () => fresh.drop()]);
  const { server, secret } = await startStack(
    {
      databaseUrl: fresh.url,
      redisUrl: "redis://127.0.0.1:6379/11",
      redisDriver: "native",
      workers: 1,
      serverEnv,
      profileDir: null,
      serverBenchRoot: benchRoot,
    },
    undo,
  );
  const admin = new TokenService({ secret }).sign({ sub: "bench-presenter", role: "admin" }, 3600).token;
  const setup = createPool(server.url, 64);
  undo.push([`${name} setup`, () => setup.close()]);
  const room = await openRoom(setup, ledger, admin, "rate", participantCount);
  const participants = await joinAll(setup, ledger, room.joinCode, participantCount, 64);
  const path = paths.sessionStatus(room.sessionId);
  for (const p of participants) p.sessionEtag = (await callJson(setup, ledger, "GET", path, { token: p.token })).etag;
  return { name, url: server.url, pid: server.pid, path, participants };
}

/** Requests answered in the window and the server's CPU seconds over it, after 2 s of warm-up. */
async function measure(target: Target, load: (pool: Pool, until: number) => () => number, connections: number) {
  const pool = createPool(target.url, connections);
  const until = performance.now() + 2000 + seconds * 1000;
  const answered = load(pool, until);
  await sleep(2000);
  const meter = new ProcessMeter(target.pid);
  const a0 = answered();
  meter.start();
  await sleep(seconds * 1000);
  const usage = meter.stop();
  const requests = answered() - a0;
  await sleep(Math.max(0, until - performance.now()) + 200);
  await pool.close();
  return { requests, cpuSeconds: usage.cpuSeconds };
}

function openLoop(target: Target, rate: number) {
  return (pool: Pool, until: number) => {
    const scheduler = new Scheduler();
    let answered = 0;
    let i = 0;
    const step = 1000 / rate;
    const next = (at: number) => {
      if (at > until) return scheduler.stop();
      scheduler.at(at, (t) => {
        const p = target.participants[i++ % target.participants.length] as Participant;
        void poll(pool, target.path, p).then(
          () => answered++,
          () => undefined,
        );
        next(t + step);
      });
    };
    next(performance.now());
    return () => answered;
  };
}

function closedLoop(target: Target, inFlight: number) {
  return (pool: Pool, until: number) => {
    let answered = 0;
    let i = 0;
    const loop = async () => {
      while (performance.now() < until) {
        await poll(pool, target.path, target.participants[i++ % target.participants.length] as Participant).catch(() => 0);
        answered++;
      }
    };
    for (let n = 0; n < inFlight; n++) void loop();
    return () => answered;
  };
}

const phases: Record<string, { label: string; run: (t: Target) => ReturnType<typeof measure> }> = {
  open500: { label: "open loop 500/s, 256 connections", run: (t) => measure(t, openLoop(t, 500), 256) },
  open1500: { label: "open loop 1500/s, 256 connections", run: (t) => measure(t, openLoop(t, 1500), 256) },
  closed1: { label: "closed loop, 1 in flight", run: (t) => measure(t, closedLoop(t, 1), 1) },
  closed32: { label: "closed loop, 32 in flight (wrk-like)", run: (t) => measure(t, closedLoop(t, 32), 32) },
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function main() {
  const thisEnv = Object.fromEntries(
    values["this-env"].map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]),
  );
  const targets = [await startTarget("this", undefined, thisEnv)];
  if (values.base) targets.push(await startTarget("base", values.base, {}));
  const results = new Map<string, Array<{ requests: number; cpuSeconds: number }>>();
  for (let round = 0; round < Number(values.rounds); round++) {
    for (const key of values.phases.split(",")) {
      const phase = phases[key];
      if (!phase) throw new Error(`no phase ${key}`);
      // Alternate which goes first, so neither always runs right after the other.
      const order = round % 2 === 0 ? targets : [...targets].reverse();
      for (const target of order) {
        const r = await phase.run(target);
        const id = `${key}\u0000${target.name}`;
        results.set(id, [...(results.get(id) ?? []), r]);
        console.log(
          `round ${round + 1} ${phase.label.padEnd(40)} ${target.name.padEnd(5)} ${(r.requests / seconds).toFixed(0).padStart(6)} req/s ${((r.cpuSeconds * 1e6) / Math.max(1, r.requests)).toFixed(1).padStart(7)} us CPU/req`,
        );
      }
    }
  }
  console.log("\nsummary (CPU us per request, all rounds pooled)");
  for (const key of values.phases.split(",")) {
    const line = targets.map((t) => {
      const rs = results.get(`${key}\u0000${t.name}`) ?? [];
      const us =
        (rs.reduce((n, r) => n + r.cpuSeconds, 0) * 1e6) /
        Math.max(
          1,
          rs.reduce((n, r) => n + r.requests, 0),
        );
      return { name: t.name, us };
    });
    const ratio = line.length === 2 ? `  this/base ${((line[0]?.us ?? 0) / (line[1]?.us ?? 1)).toFixed(3)}` : "";
    console.log(
      `${(phases[key]?.label ?? key).padEnd(40)} ${line.map((l) => `${l.name} ${l.us.toFixed(1)}`).join("  ")}${ratio}`,
    );
  }
}

try {
  await main();
} finally {
  for (const [, step] of undo.reverse()) await step().catch(() => undefined);
}
