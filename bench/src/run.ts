import { join } from "node:path";
import { TokenService } from "@caja/api";
import postgres from "postgres";
import { auditSubmissions, buildChecks, drainFeed, settledResponses } from "./checks";
import { Presenter } from "./feed";
import { runHeavyPhase } from "./heavy-phase";
import { callJson, createPool, paths } from "./http";
import { machineInfo } from "./machine";
import { describeWrites, type BenchOptions } from "./options";
import { runPeakPhase } from "./peak-phase";
import { pickPeakTool } from "./peak-tools";
import { summariseProfile } from "./profile";
import { SHARED_CORES_NOTE, evaluateTargets, type BenchResult } from "./report";
import { GroupMeter, MachineMeter, ProcessMeter, postgresPids, xactCommits, type ProcessUsage } from "./resources";
import { runScenario } from "./scenario";
import { benchDir } from "./servers";
import { joinAll, openRoom, peakFixture } from "./setup";
import { benchDatabase, startStack, type Undo } from "./stack";
import { ErrorLedger, type RouteSummary } from "./stats";

/** Seconds since this process started. */
const log = (line: string) => process.stderr.write(`[bench ${(performance.now() / 1000).toFixed(1).padStart(5)} s] ${line}\n`);

/** Server CPU milliseconds per 1,000 requests answered in the window: robust to the cores being shared. */
function perThousand(cpuSeconds: number, routes: RouteSummary[]): number {
  const requests = routes.reduce((n, r) => n + r.requests, 0);
  return requests > 0 ? (cpuSeconds * 1e6) / requests : 0;
}

export async function runBench(opts: BenchOptions, command: string): Promise<BenchResult> {
  const undo: Undo = [];
  const ledger = new ErrorLedger();
  const startedAt = new Date();
  try {
    const { admin, url: databaseUrl, database } = await benchDatabase(undo, "caja_bench");
    const db = postgres(databaseUrl, { max: 2, onnotice: () => {} });
    undo.push(["db", () => db.end()]);
    const machine = await machineInfo(admin, new URL(opts.redisUrl));
    const peakTool = pickPeakTool(opts.peak.tool);
    if (opts.peak.enabled && peakTool === "autocannon" && opts.peak.tool === "auto") {
      log("peak throughput with autocannon; `apt-get install -y wrk` gives a leaner generator (see README)");
    }

    log("starting the Redis bridge, the Caja server and the baseline (child processes)");
    // Kept with the results: open it in Chrome DevTools or speedscope for the whole picture.
    const profileDir = join(
      opts.resultsDir ?? join(benchDir, "results"),
      `profile-${startedAt.toISOString().replace(/[:.]/g, "-")}`,
    );
    const { server, bridge, baseline, secret } = await startStack(
      {
        databaseUrl: databaseUrl,
        redisUrl: opts.redisUrl,
        redisDriver: opts.redisDriver,
        workers: opts.workers,
        serverEnv: opts.serverEnv,
        profileDir: opts.cpuProf ? profileDir : null,
      },
      undo,
    );
    log(
      `server ${server.url} (pid ${server.pid}; ${opts.workers} worker${opts.workers > 1 ? "s" : ""}; Redis ${opts.redisDriver}), baseline ${baseline.url}, bridge ${bridge.url}`,
    );

    const adminToken = new TokenService({ secret }).sign({ sub: "bench-presenter", role: "admin" }, 6 * 3600).token;
    const setupPool = createPool(server.url, opts.joinConcurrency);
    undo.push(["setupPool", () => setupPool.close()]);
    const room = await openRoom(setupPool, ledger, adminToken, "Bench room", opts.participants);
    const since = new Date(Date.now() - 60_000).toISOString();

    log(`joining ${opts.participants} participants, ${opts.joinConcurrency} at a time`);
    const joinStart = performance.now();
    const participants = await joinAll(setupPool, ledger, room.joinCode, opts.participants, opts.joinConcurrency);
    const joinSeconds = (performance.now() - joinStart) / 1000;
    const fixture = await peakFixture(setupPool, ledger, adminToken);

    const pool = createPool(server.url, opts.connections);
    const writePool = createPool(server.url, opts.connections);
    undo.push(["pool", async () => (pool.destroyed ? undefined : pool.close())]);
    undo.push(["write pool", async () => (writePool.destroyed ? undefined : writePool.close())]);
    // Two screens, each on a connection of its own: one follows next_cursor, one the newest updated_at it has seen.
    const presenters = (["cursor", "timestamp"] as const).map((mode) => {
      const presenterPool = createPool(server.url, 1);
      undo.push([`${mode} presenter pool`, () => presenterPool.close()]);
      return new Presenter(presenterPool, ledger, room, `Bearer ${adminToken}`, since, 1000, mode);
    });

    const meters = {
      server: new ProcessMeter(server.pid),
      bridge: new ProcessMeter(bridge.pid),
      self: new ProcessMeter(process.pid),
      redis: new ProcessMeter(machine.redisPid ?? -1),
    };
    const postgresMeter = new GroupMeter(await postgresPids(admin, database));
    const machineMeter = new MachineMeter();
    const usage: {
      server?: ProcessUsage;
      bridge?: ProcessUsage;
      self?: ProcessUsage;
      redis?: ProcessUsage;
      postgres?: number;
      machine?: number;
    } = {};
    let xactStart: Promise<number> = Promise.resolve(0);
    let xactEnd: Promise<number> = Promise.resolve(0);
    let cacheStart: Promise<Record<string, number>> = Promise.resolve({});
    let cacheEnd: Promise<Record<string, number>> = Promise.resolve({});

    log(`scenario: ${opts.warmupSeconds} s warm-up + ${opts.durationSeconds} s measured`);
    const scenario = await runScenario(
      { polls: pool, writes: writePool },
      { ...room, participants },
      presenters,
      ledger,
      {
        warmupMs: opts.warmupSeconds * 1000,
        durationMs: opts.durationSeconds * 1000,
        pollEveryMs: opts.pollEveryMs,
        jitter: opts.jitter,
        writes: opts.writes,
        presenterEveryMs: 1000,
        followPollInterval: opts.followPollInterval,
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

    if (scenario.unfinishedAfterDrain > 0)
      log(`${scenario.unfinishedAfterDrain} requests were still open 35 s after the window: aborted`);
    log("checking: database, feed, counters");
    // An aborted request may still commit in the server: read until the table stops changing.
    const stored = await settledResponses(db, room.activityId, 30_000);
    const feeds = await Promise.all(
      presenters.map(async (presenter) => ({ presenter, behind: await drainFeed(presenter, stored, 20_000) })),
    );
    // Past both cache TTLs (local 200 ms + shared 500 ms by default), the status must agree with the table.
    await new Promise((r) => setTimeout(r, 1500));
    const status = await callJson<{ response_count: number }>(
      setupPool,
      ledger,
      "GET",
      paths.activityStatus(room.sessionId, room.activityId),
      {
        token: adminToken,
      },
    );
    const audit = auditSubmissions(scenario.submissions, stored);

    const peak = opts.peak.enabled
      ? await runPeakPhase(server, baseline, fixture, { ...opts.peak, tool: peakTool }, ledger, log)
      : null;
    const heavy = opts.heavy ? await runHeavyPhase(server, adminToken, ledger, log) : null;

    const stopping = performance.now();
    const code = await server.stop();
    log(`server stopped (exit ${code}) in ${((performance.now() - stopping) / 1000).toFixed(1)} s`);
    const profile = opts.cpuProf ? summariseProfile(profileDir) : null;
    const checks = buildChecks({
      audit,
      submissions: scenario.submissions,
      stored,
      feeds,
      serverErrors: ledger.serverErrors,
      serverErrorExamples: [
        ...ledger.examples,
        ...server
          .logTail()
          // The server's error lines (JSON, level error or fatal).
          .filter((l) => l.includes('"level":50') || l.includes('"level":60'))
          .slice(-3),
      ],
      counter: status.status === 200 ? { reported: status.body.response_count, stored: stored.length } : null,
      unfinished: scenario.unfinishedAfterDrain,
    });

    const polls = scenario.routes
      .filter((r) => r.route.startsWith("GET") && !r.route.includes("presenter"))
      .reduce((n, r) => n + r.requests, 0);
    const transactions = (await xactEnd) - (await xactStart);
    const [c0, c1] = [await cacheStart, await cacheEnd];
    const label = `${opts.participants}p-${describeWrites(opts.writes).replace(/ /g, "")}${opts.followPollInterval ? "-follow" : ""}`;
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
        followPollInterval: opts.followPollInterval,
        connections: opts.connections,
        serverEnv: opts.serverEnv,
      },
      setup: {
        joins: participants.length,
        joinSeconds,
        joinsPerSecond: participants.length / joinSeconds,
        joinConcurrency: opts.joinConcurrency,
      },
      scenario: {
        windowSeconds: scenario.windowSeconds,
        offered: scenario.offered,
        routes: scenario.routes,
        generatorLagMs: scenario.generatorLagMs,
        advisedPollMs: scenario.advisedPollMs,
        serverCpuMsPerThousandRequests: perThousand(usage.server?.cpuSeconds ?? 0, scenario.routes),
      },
      resources: {
        server: usage.server as ProcessUsage,
        bridge: usage.bridge as ProcessUsage,
        loadGenerator: usage.self as ProcessUsage,
        postgresCpuPercent: usage.postgres ?? 0,
        redisCpuPercent: usage.redis?.cpuPercent ?? 0,
        machineCpuPercent: usage.machine ?? 0,
        otherCpuPercent: Math.max(
          0,
          (usage.machine ?? 0) * machine.cores -
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
      heavy,
      checks,
      targets: evaluateTargets({
        participants: opts.participants,
        writes: opts.writes,
        followPollInterval: opts.followPollInterval,
        routes: scenario.routes,
        lost: audit.lost,
        peak: peak?.runs ?? null,
      }),
      profile,
      ok: checks.every((c) => c.ok || !c.fatal),
    };
    return result;
  } finally {
    for (const [name, step] of undo.reverse()) {
      const started = performance.now();
      await step().catch((error: unknown) => log(`cleanup ${name}: ${String(error)}`));
      const ms = performance.now() - started;
      if (ms > 1000) log(`cleanup ${name} took ${(ms / 1000).toFixed(1)} s`);
    }
    log("done");
  }
}
