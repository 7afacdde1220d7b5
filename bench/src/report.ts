import type { Check } from "./checks";
import type { MachineInfo } from "./machine";
import type { HeavyPhase } from "./heavy-phase";
import type { PeakPhase } from "./peak-phase";
import type { ProfileSummary } from "./profile";
import type { ProcessUsage } from "./resources";
import type { LatencySummary, RouteSummary } from "./stats";
import { evaluateTargets, type TargetVerdict } from "./targets";

export const SHARED_CORES_NOTE =
  "The load generator runs on the same cores as the server, PostgreSQL, Redis and the Redis bridge: " +
  "figures compare only within one run, and the server would do better on a machine of its own.";

export interface BenchResult {
  version: 1;
  startedAt: string;
  mode: "quick" | "full";
  /** e.g. `2000p-10%/10s` or `10000p-500/s`: runs with one label are comparable. */
  label: string;
  command: string;
  note: string;
  machine: MachineInfo;
  options: {
    participants: number;
    writes: string;
    warmupSeconds: number;
    durationSeconds: number;
    pollEveryMs: number;
    jitter: number;
    followPollInterval: boolean;
    connections: number;
    serverEnv: Record<string, string>;
  };
  setup: { joins: number; joinSeconds: number; joinsPerSecond: number; joinConcurrency: number };
  scenario: {
    windowSeconds: number;
    offered: { pollsPerSecond: number; submissionsPerSecond: number; presenterPerSecond: number };
    routes: RouteSummary[];
    generatorLagMs: LatencySummary;
    advisedPollMs: { min: number; max: number };
    serverCpuMsPerThousandRequests: number;
  };
  resources: {
    server: ProcessUsage;
    bridge: ProcessUsage;
    loadGenerator: ProcessUsage;
    /** Percent of one core, like the processes above. */
    postgresCpuPercent: number;
    redisCpuPercent: number;
    /** Percent of all cores (100 = the whole machine busy). */
    machineCpuPercent: number;
    /** Busy time of nothing above (kernel, other work on the machine), in percent of one core. */
    otherCpuPercent: number;
  };
  database: {
    method: string;
    transactions: number;
    polls: number;
    perThousandPolls: number;
    cache: Record<string, number>;
  };
  peak: PeakPhase | null;
  /** The heavy room (heavy-phase.ts); null when skipped. */
  heavy?: HeavyPhase | null;
  checks: Check[];
  targets: TargetVerdict[];
  profile: ProfileSummary | null;
  ok: boolean;
}

const fmt = (n: number, digits = 1) => (Number.isFinite(n) ? n.toFixed(digits) : "-");
const pct = (share: number) => `${fmt(100 * share)}%`;

function table(head: string[], rows: string[][]): string {
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? "").length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i] ?? 0) : c.padStart(widths[i] ?? 0))).join("  ");
  return [line(head), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)].join("\n");
}

export function scenarioTable(r: BenchResult): string {
  return table(
    ["route", "requests", "ok/s", "p50 ms", "p95 ms", "p99 ms", "max ms", "errors", "5xx", "shed", "304 share"],
    r.scenario.routes.map((s) => [
      s.route,
      String(s.requests),
      fmt(s.okPerSecond),
      fmt(s.latencyMs.p50),
      fmt(s.latencyMs.p95),
      fmt(s.latencyMs.p99),
      fmt(s.latencyMs.max),
      String(s.errors),
      String(s.serverErrors),
      String(s.shed),
      s.route.startsWith("GET") ? pct(s.notModifiedShare) : "-",
    ]),
  );
}

export function peakTable(r: BenchResult): string {
  if (!r.peak) return "(peak throughput skipped)";
  return table(
    [
      "route",
      "path",
      "req/s",
      "p50 ms",
      "p99 ms",
      "server CPU",
      "CPU µs/req",
      "baseline µs/req",
      "expected status",
      "vs baseline",
      "by CPU/req",
    ],
    r.peak.runs.map((p, i) => [
      p.name,
      String(p.expect),
      fmt(p.requestsPerSecond, 0),
      fmt(p.latencyMs.p50),
      fmt(p.latencyMs.p99),
      `${fmt(p.serverCpuPercent, 0)}%`,
      fmt(p.serverCpuMicrosPerRequest, 0),
      i === 0 ? "-" : fmt(r.peak?.runs[0]?.serverCpuMicrosPerRequest ?? 0, 0),
      pct(p.expectedShare),
      p.ratio === null ? "-" : pct(p.ratio),
      p.cpuRatio === null ? "-" : pct(p.cpuRatio),
    ]),
  );
}

export function resourcesTable(r: BenchResult): string {
  const x = r.resources;
  const row = (name: string, u: ProcessUsage) => [name, `${fmt(u.cpuPercent, 0)}%`, fmt(u.rssMaxMb, 0), fmt(u.rssEndMb, 0)];
  const cpuOnly = (name: string, cpu: number) => [name, `${fmt(cpu, 0)}%`, "-", "-"];
  return table(
    ["process (measured window)", "CPU % of 1 core", "RSS max MB", "RSS end MB"],
    [
      row("caja server", x.server),
      cpuOnly("postgresql (bench db + background)", x.postgresCpuPercent),
      cpuOnly("redis-server", x.redisCpuPercent),
      row("redis bridge (test infra)", x.bridge),
      row("load generator (this process)", x.loadGenerator),
      cpuOnly("anything else (kernel, other work)", x.otherCpuPercent),
    ],
  );
}

export function heavyLines(r: BenchResult): string[] {
  const h = r.heavy;
  if (!h) return [];
  const o = h.options;
  const kb = (bytes: number) => `${fmt(bytes / 1024, 1)} KB`;
  const statuses = (s: Record<string, number>) =>
    Object.entries(s)
      .map(([status, n]) => `${n} x ${status}`)
      .join(", ");
  return [
    `Heavy room: ${o.participants} participants x ${o.answersEach} open-text answers of ${o.characters} characters (set up in ${fmt(h.setupSeconds)} s)`,
    table(
      ["burst", "requests", "answers", "largest body", "p50 ms", "p99 ms"],
      (
        [
          ["GET activity results (32 in flight)", h.results],
          ["tRPC GET batch of 50 activity.results (4 in flight)", h.resultsBatches],
          ["tRPC GET batch of 50 feed pages of 1,000 (1 in flight)", h.feedBatches],
        ] as const
      ).map(([name, burst]) => [
        name,
        String(burst.requests),
        statuses(burst.statuses),
        kb(burst.bodyBytes),
        fmt(burst.latencyMs.p50),
        fmt(burst.latencyMs.p99),
      ]),
    ),
    `server RSS: ${fmt(h.rssMb.before, 0)} MB before the bursts, ${fmt(h.rssMb.peak, 0)} MB at their peak (sampled every 100 ms), ${fmt(h.rssMb.after, 0)} MB 2 s after`,
    "",
  ];
}

/** Other work on the machine skews every figure: say so where the numbers are. */
function busyWarning(r: BenchResult): string[] {
  // Not the load average: it still counts the previous bench run for a minute.
  const other = r.resources.otherCpuPercent;
  if (other <= 25) return [];
  return [
    `WARNING: the machine was busy with other work (${fmt(other, 0)}% of a core used by processes outside the bench ` +
      "during the window): latencies and throughput here are worse than the code's.",
  ];
}

export function renderReport(r: BenchResult): string {
  const m = r.machine;
  const o = r.options;
  const db = r.database;
  const lag = r.scenario.generatorLagMs;
  const out: string[] = [
    `Caja bench (${r.mode}) ${r.label}: ${o.participants} participants polling 3 routes (session and activity status, results) ` +
      (o.followPollInterval ? "after the server's poll_interval_ms" : `every ${o.pollEveryMs} ms`) +
      ` ±${fmt(100 * o.jitter, 0)}%, writes ${o.writes}, two presenters following the feed every 1 s (by cursor, by timestamp)`,
    `machine: ${m.cores} cores (${m.cpuModel}), ${m.memoryGb} GB, Node ${m.node}, PostgreSQL ${m.postgres}, Redis ${m.redis}; load average at start ${m.loadAverageAtStart}; commit ${m.commit}`,
    `NOTE: ${r.note}`,
    ...busyWarning(r),
    "",
    `setup: ${r.setup.joins} joins through POST /api/v1/sessions/join in ${fmt(r.setup.joinSeconds)} s (${fmt(r.setup.joinsPerSecond, 0)}/s, ${r.setup.joinConcurrency} in parallel)`,
    "",
    `Scenario: open loop, ${o.durationSeconds} s measured after ${o.warmupSeconds} s warm-up, latency from the scheduled send time, ${o.connections} keep-alive connections`,
    `offered: ${fmt(r.scenario.offered.pollsPerSecond, 0)} polls/s, ${fmt(r.scenario.offered.submissionsPerSecond, 0)} submissions/s, ${fmt(r.scenario.offered.presenterPerSecond, 0)} feed polls/s`,
    scenarioTable(r),
    "(errors include requests unanswered 35 s after the window, then aborted, and shed ones: not sent because " +
      "20,000 were already queued for that pool, counted as failing at the 30 s timeout)",
    `load generator dispatch lag (how late it sent): p50 ${fmt(lag.p50, 2)} ms, p99 ${fmt(lag.p99, 2)} ms, max ${fmt(lag.max, 1)} ms`,
    `server-advised poll_interval_ms in the window: ${r.scenario.advisedPollMs.min}–${r.scenario.advisedPollMs.max}; ` +
      `server CPU ${fmt(r.scenario.serverCpuMsPerThousandRequests, 0)} ms per 1,000 requests`,
    "",
    resourcesTable(r),
    `machine CPU over the window: ${fmt(r.resources.machineCpuPercent, 0)}% of all ${m.cores} cores`,
    `database: ${db.transactions} transactions for ${db.polls} polls = ${fmt(db.perThousandPolls, 2)} per 1,000 polls (${db.method}; includes submissions and presence writes)`,
    `server cache over the window: ${Object.entries(db.cache)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")}`,
    "",
    r.peak
      ? `Peak throughput (closed loop): ${r.peak.tool}, ${r.peak.connections} connections, ${r.peak.durationSeconds} s per route; bare node:http baseline ${fmt(r.peak.baselineRequestsPerSecond, 0)} req/s`
      : "",
    peakTable(r),
    "",
    ...heavyLines(r),
    "Checks:",
    ...r.checks.map((c) => `  [${c.ok ? "PASS" : c.fatal ? "FAIL" : "WARN"}] ${c.name}: ${c.detail}`),
    "",
    "Targets (ours):",
    ...r.targets.map((t) => `  [${t.met === null ? "n/a " : t.met ? "MET " : "MISS"}] ${t.target}: ${t.measured}`),
  ];
  if (r.profile) {
    out.push("", `Server CPU profile (${r.profile.file}), top self time:`);
    for (const f of r.profile.top) out.push(`  ${fmt(f.selfPercent).padStart(5)}%  ${f.name}  ${f.where}`);
    out.push("  by package: " + r.profile.byPackage.map((p) => `${p.name} ${fmt(p.selfPercent)}%`).join(", "));
    out.push(
      "  (V8 samples wall time: on shared cores, time the server spent preempted inside a socket write, often right after",
      "   waking the load generator, is counted as writev/writeLatin1String; compare CPU µs/req for what a route really costs)",
    );
  }
  out.push("", r.ok ? "bench: all checks passed" : "bench: CHECKS FAILED");
  return out.join("\n");
}

export { evaluateTargets };
