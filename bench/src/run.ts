import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { TokenService } from "@caja/api";
import { adminDatabaseUrl, createFreshPostgres } from "@caja/testing";
import postgres from "postgres";
import type { Pool } from "undici";
import { auditSubmissions, buildChecks, drainFeed, storedResponses } from "./checks";
import { Presenter } from "./feed";
import { callJson, createPool, paths } from "./http";
import { machineInfo } from "./machine";
import { describeWrites, type BenchOptions } from "./options";
import { runPeakPhase } from "./peak-phase";
import { pickPeakTool } from "./peak-tools";
import { summariseProfile } from "./profile";
import { SHARED_CORES_NOTE, evaluateTargets, type BenchResult } from "./report";
import { GroupMeter, MachineMeter, ProcessMeter, postgresPids, xactCommits, type ProcessUsage } from "./resources";
import { runScenario } from "./scenario";
import { benchDir, cpuProfileArgs, startMeasured } from "./servers";
import { joinAll, openRoom, responseData } from "./setup";
import { ErrorLedger } from "./stats";

/** High enough that the bench measures throughput, not the limiter (the limiter's cost is still paid). */
const UNLIMITED = "1000000/1s";

const t0 = performance.now();
const log = (line: string) => process.stderr.write(`[bench ${((performance.now() - t0) / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

export async function runBench(opts: BenchOptions, command: string): Promise<BenchResult> {
  const undo: Array<() => Promise<unknown>> = [];
  const ledger = new ErrorLedger();
  const startedAt = new Date();
  try {
    const admin = postgres(adminDatabaseUrl(), { max: 1, onnotice: () => {} });
    undo.push(() => admin.end());
    const fresh = await createFreshPostgres("caja_bench");
    undo.push(() => fresh.drop());
    const database = new URL(fresh.url).pathname.slice(1);
    const db = postgres(fresh.url, { max: 2, onnotice: () => {} });
    undo.push(() => db.end());
    const machine = await machineInfo(admin, new URL(opts.redisUrl));
    const peakTool = pickPeakTool(opts.peak.tool);
    if (opts.peak.enabled && peakTool === "autocannon" && opts.peak.tool === "auto") {
      log("peak throughput with autocannon; `apt-get install -y wrk` gives a leaner generator (see README)");
    }

    log("starting the Redis bridge, the Caja server and the baseline (child processes)");
    // The baseline needs nothing else: it starts while the bridge does.
    const baselineStarting = startMeasured("baseline", "baseline");
    baselineStarting.catch(() => undefined); // awaited below; a failure must not go unhandled meanwhile
    undo.push(async () => (await baselineStarting).stop());
    const bridge = await startMeasured("redis bridge", "bridge", { env: { BENCH_REDIS_URL: opts.redisUrl } });
    undo.push(() => bridge.stop());
    const secret = randomBytes(32).toString("hex");
    const dataDir = mkdtempSync(join(tmpdir(), "caja-bench-"));
    undo.push(async () => rmSync(dataDir, { recursive: true, force: true }));
    // Kept with the results: open it in Chrome DevTools or speedscope for the whole picture.
    const profileDir = join(opts.resultsDir ?? join(benchDir, "results"), `profile-${startedAt.toISOString().replace(/[:.]/g, "-")}`);
    const serverEnv = {
      PORT: "0",
      HOST: "127.0.0.1",
      DATABASE_URL: fresh.url,
      JWT_SECRET: secret,
      CAJA_DATA_DIR: dataDir,
      UPSTASH_REDIS_REST_URL: bridge.url,
      UPSTASH_REDIS_REST_TOKEN: bridge.extra.token ?? "",
      RATE_LIMIT_POLL: UNLIMITED,
      RATE_LIMIT_READ: UNLIMITED,
      RATE_LIMIT_WRITE: UNLIMITED,
      RATE_LIMIT_JOIN: UNLIMITED,
      ...opts.serverEnv,
    };
    const server = await startMeasured("caja server", "server", {
      env: serverEnv,
      nodeArgs: opts.cpuProf ? cpuProfileArgs(profileDir) : [],
    });
    undo.push(() => server.stop());
    const baseline = await baselineStarting;
    log(`server ${server.url} (pid ${server.pid}), baseline ${baseline.url}, bridge ${bridge.url}`);

    const adminToken = new TokenService({ secret }).sign({ sub: "bench-presenter", role: "admin" }, 6 * 3600).token;
    const setupPool = createPool(server.url, opts.joinConcurrency);
    undo.push(() => setupPool.close());
    const room = await openRoom(setupPool, ledger, adminToken, "Bench room", opts.participants);
    const since = new Date(Date.now() - 60_000).toISOString();

    log(`joining ${opts.participants} participants, ${opts.joinConcurrency} at a time`);
    const joinStart = performance.now();
    const participants = await joinAll(setupPool, ledger, room.joinCode, opts.participants, opts.joinConcurrency);
    const joinSeconds = (performance.now() - joinStart) / 1000;
    const fixture = await peakFixture(setupPool, ledger, adminToken);

    const pool = createPool(server.url, opts.connections);
    undo.push(() => pool.close());
    const presenterPool = createPool(server.url, 1);
    undo.push(() => presenterPool.close());
    const presenter = new Presenter(presenterPool, ledger, room, `Bearer ${adminToken}`, since, 1000);

    const meters = {
      server: new ProcessMeter(server.pid),
      bridge: new ProcessMeter(bridge.pid),
      self: new ProcessMeter(process.pid),
      redis: new ProcessMeter(machine.redisPid ?? -1),
    };
    const postgresMeter = new GroupMeter(await postgresPids(admin, database));
    const machineMeter = new MachineMeter();
    const usage: { server?: ProcessUsage; bridge?: ProcessUsage; self?: ProcessUsage; redis?: ProcessUsage; postgres?: number; machine?: number } = {};
    let xactStart: Promise<number> = Promise.resolve(0);
    let xactEnd: Promise<number> = Promise.resolve(0);
    let cacheStart: Promise<Record<string, number>> = Promise.resolve({});
    let cacheEnd: Promise<Record<string, number>> = Promise.resolve({});

    log(`scenario: ${opts.warmupSeconds} s warm-up + ${opts.durationSeconds} s measured`);
    const scenario = await runScenario(
      pool,
      { ...room, participants },
      presenter,
      ledger,
      {
        warmupMs: opts.warmupSeconds * 1000,
        durationMs: opts.durationSeconds * 1000,
        pollEveryMs: opts.pollEveryMs,
        jitter: opts.jitter,
        writes: opts.writes,
        presenterEveryMs: 1000,
      },
      {
        windowStart: () => {
          for (const m of Object.values(meters)) m.start();
          postgresMeter.begin();
          machineMeter.restart();
          xactStart = xactCommits(admin, database);
          cacheStart = server.stats();
        },
        windowEnd: () => {
          usage.server = meters.server.stop();
          usage.bridge = meters.bridge.stop();
          usage.self = meters.self.stop();
          usage.redis = meters.redis.stop();
          usage.postgres = postgresMeter.end();
          usage.machine = machineMeter.stop();
          xactEnd = xactCommits(admin, database);
          cacheEnd = server.stats();
        },
      },
    );

    log("checking: database, feed, counters");
    const stored = await storedResponses(db, room.activityId);
    const behind = await drainFeed(presenter, stored, 20_000);
    // Past both cache TTLs (local 200 ms + shared 500 ms by default), the status must agree with the table.
    await new Promise((r) => setTimeout(r, 1500));
    const status = await callJson<{ response_count: number }>(setupPool, ledger, "GET", paths.activityStatus(room.sessionId, room.activityId), {
      token: adminToken,
    });
    const audit = auditSubmissions(scenario.submissions, stored);

    const peak = opts.peak.enabled ? await runPeakPhase(server, baseline, fixture, { ...opts.peak, tool: peakTool }, ledger, log) : null;

    await server.stop();
    const profile = opts.cpuProf ? summariseProfile(profileDir) : null;
    const checks = buildChecks({
      audit,
      stored,
      presenter,
      feedBehind: behind,
      serverErrors: ledger.serverErrors,
      serverErrorExamples: [...ledger.examples, ...server.logTail().filter((l) => l.includes("[caja]")).slice(-3)],
      counter: status.status === 200 ? { reported: status.body.response_count, stored: stored.length } : null,
      unfinished: scenario.unfinishedAfterDrain,
    });

    const polls = scenario.routes.filter((r) => r.route.startsWith("GET") && !r.route.includes("presenter")).reduce((n, r) => n + r.requests, 0);
    const transactions = (await xactEnd) - (await xactStart);
    const [c0, c1] = [await cacheStart, await cacheEnd];
    const label = `${opts.participants}p-${describeWrites(opts.writes).replace(/ /g, "")}`;
    const result: BenchResult = {
      version: 1,
      startedAt: startedAt.toISOString(),
      mode: opts.quick ? "quick" : "full",
      label,
      command,
      note: SHARED_CORES_NOTE,
      machine,
      options: {
        participants: opts.participants,
        writes: describeWrites(opts.writes),
        warmupSeconds: opts.warmupSeconds,
        durationSeconds: opts.durationSeconds,
        pollEveryMs: opts.pollEveryMs,
        jitter: opts.jitter,
        connections: opts.connections,
        serverEnv: opts.serverEnv,
      },
      setup: { joins: participants.length, joinSeconds, joinsPerSecond: participants.length / joinSeconds, joinConcurrency: opts.joinConcurrency },
      scenario: { windowSeconds: scenario.windowSeconds, offered: scenario.offered, routes: scenario.routes, generatorLagMs: scenario.generatorLagMs },
      resources: {
        server: usage.server as ProcessUsage,
        bridge: usage.bridge as ProcessUsage,
        loadGenerator: usage.self as ProcessUsage,
        postgresCpuPercent: usage.postgres ?? 0,
        redisCpuPercent: usage.redis?.cpuPercent ?? 0,
        machineCpuPercent: usage.machine ?? 0,
        otherCpuPercent: Math.max(
          0,
          ((usage.machine ?? 0) * machine.cores) -
            [usage.server, usage.bridge, usage.self, usage.redis].reduce((n, u) => n + (u?.cpuPercent ?? 0), 0) -
            (usage.postgres ?? 0),
        ),
      },
      database: {
        method: "pg_stat_database.xact_commit delta of the bench database (pg_stat_statements is not preloaded)",
        transactions,
        polls,
        perThousandPolls: polls > 0 ? (1000 * transactions) / polls : 0,
        cache: Object.fromEntries(Object.entries(c1).map(([k, v]) => [k, v - (c0[k] ?? 0)])),
      },
      peak,
      checks,
      targets: evaluateTargets({ participants: opts.participants, writes: opts.writes, routes: scenario.routes, lost: audit.lost, peak: peak?.runs ?? null }),
      profile,
      ok: checks.every((c) => c.ok),
    };
    return result;
  } finally {
    for (const step of undo.reverse()) await step().catch((error: unknown) => log(`cleanup: ${String(error)}`));
  }
}

export interface PeakFixture {
  sessionId: number;
  activityId: string;
  participantToken: string;
  adminToken: string;
  feedCursor: string;
}

/**
 * A small room of its own for the peak runs, with one participant who both
 * polls and has answered: the big room's status keeps changing after the
 * scenario as its participants go quiet (active_participant_count), and so
 * would a room whose other members never poll; either turns 304s into 200s.
 */
async function peakFixture(pool: Pool, ledger: ErrorLedger, adminToken: string): Promise<PeakFixture> {
  const room = await openRoom(pool, ledger, adminToken, "Bench peak room", 1);
  const [person] = await joinAll(pool, ledger, room.joinCode, 1, 1, "peak");
  if (!person) throw new Error("peak fixture: join failed");
  const res = await callJson(pool, ledger, "POST", paths.submit(room.sessionId, room.activityId), {
    token: person.token,
    body: { response_data: responseData(person, 1) },
  });
  if (res.status !== 201) throw new Error(`peak fixture: submission answered ${res.status}`);
  const feed = await callJson<{ next_cursor: string }>(pool, ledger, "GET", paths.feed(room.sessionId, room.activityId, "2000-01-01T00:00:00Z", null, 100), {
    token: adminToken,
  });
  return {
    sessionId: room.sessionId,
    activityId: room.activityId,
    participantToken: person.token,
    adminToken,
    feedCursor: feed.body.next_cursor,
  };
}
