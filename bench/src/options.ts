import { parseArgs } from "node:util";
import type { WritePlan } from "./scenario";

export const usage = `pnpm bench [options]

  --quick                 ~30 s smoke run (100 participants, 8 s window, 1 s peaks): what CI runs
  --participants N        participants in the room (default 2000; quick 100)
  --write-rate N          N submissions/s into the one activity, round robin over the room,
                          instead of the default 10% of participants every 10 s
  --duration S            measured window in seconds (default 60; quick 8)
  --warmup S              load before the window that is not counted (default 5; quick 2)
  --connections N         keep-alive connections the participants share for polls, and as many
                          again for submissions (default 256)
  --poll-interval MS      each participant's polling interval per route (default 2000); a long one
                          isolates the write path
  --follow-poll-interval  poll after the server's poll_interval_ms, as @caja/client does, instead of
                          a fixed 2 s (the server stretches it under load)
  --join-concurrency N    joins in flight during setup (default 64)
  --peak-duration S       seconds per peak-throughput run (default 10; quick 1)
  --peak-connections N    connections of the peak generator (default 32)
  --peak-tool T           auto (wrk if installed, else autocannon), wrk or autocannon
  --peak-routes A,B       peak-test only the routes whose name contains one of these (case-insensitive,
                          e.g. "session status,timestamp"; a trailing ":304" or ":200" picks that path);
                          the baseline always runs
  --no-peak               skip the peak-throughput phase
  --heavy, --no-heavy     run (or skip) the heavy-room phase: long open-text answers, bursts of results
                          polls and of 50-call tRPC batches, server RSS before/peak/after (default: on
                          in full runs, off with --quick)
  --cpu-prof              write a V8 CPU profile of the server and print its top functions
  --env KEY=VALUE         extra server environment (repeatable), e.g. --env DB_POOL_SIZE=20
  --redis-url URL         the bench's Redis (default redis://127.0.0.1:6379/11, a database of its own)
  --redis-driver D        how the server reaches it: upstash (REST, through the bridge; the default)
                          or native (REDIS_URL, RESP over one pipelined connection)
  --workers N             server processes on one port (CAJA_WORKERS; default 1); the server's
                          CPU and memory are then the supervisor's and its workers' together
  --results-dir DIR       where the JSON goes (default bench/results)
  --help
`;

export interface BenchOptions {
  quick: boolean;
  participants: number;
  writes: WritePlan;
  durationSeconds: number;
  warmupSeconds: number;
  connections: number;
  joinConcurrency: number;
  peak: {
    enabled: boolean;
    tool: "auto" | "wrk" | "autocannon";
    durationSeconds: number;
    warmupSeconds: number;
    connections: number;
    /** Name fragments (optionally `:200` / `:304`) of the routes to run; empty: all. */
    routes: string[];
  };
  /** The heavy-room phase (heavy-phase.ts). */
  heavy: boolean;
  cpuProf: boolean;
  serverEnv: Record<string, string>;
  redisUrl: string;
  redisDriver: "upstash" | "native";
  workers: number;
  resultsDir: string | null;
  pollEveryMs: number;
  jitter: number;
  followPollInterval: boolean;
}

function positive(name: string, text: string | undefined, fallback: number): number {
  if (text === undefined) return fallback;
  const n = Number(text);
  if (!Number.isFinite(n) || n <= 0) throw new Error(`--${name} must be a positive number, got "${text}"`);
  return n;
}

export function parseOptions(argv: string[]): BenchOptions | "help" {
  const { values } = parseArgs({
    args: argv,
    strict: true,
    options: {
      quick: { type: "boolean", default: false },
      participants: { type: "string" },
      "write-rate": { type: "string" },
      duration: { type: "string" },
      warmup: { type: "string" },
      connections: { type: "string" },
      "follow-poll-interval": { type: "boolean", default: false },
      "poll-interval": { type: "string" },
      "join-concurrency": { type: "string" },
      "peak-duration": { type: "string" },
      "peak-connections": { type: "string" },
      "peak-tool": { type: "string", default: "auto" },
      "peak-routes": { type: "string" },
      "no-peak": { type: "boolean", default: false },
      heavy: { type: "boolean", default: false },
      "no-heavy": { type: "boolean", default: false },
      "cpu-prof": { type: "boolean", default: false },
      env: { type: "string", multiple: true },
      "redis-url": { type: "string" },
      "redis-driver": { type: "string", default: "upstash" },
      workers: { type: "string" },
      "results-dir": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) return "help";
  const quick = values.quick === true;
  const serverEnv: Record<string, string> = {};
  for (const pair of values.env ?? []) {
    const eq = pair.indexOf("=");
    if (eq <= 0) throw new Error(`--env takes KEY=VALUE, got "${pair}"`);
    serverEnv[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  const writeRate = values["write-rate"];
  const peakDuration = positive("peak-duration", values["peak-duration"], quick ? 1 : 10);
  const tool = values["peak-tool"];
  if (tool !== "auto" && tool !== "wrk" && tool !== "autocannon")
    throw new Error(`--peak-tool is auto, wrk or autocannon, got "${tool}"`);
  const redisDriver = values["redis-driver"];
  if (redisDriver !== "upstash" && redisDriver !== "native")
    throw new Error(`--redis-driver is upstash or native, got "${redisDriver}"`);
  return {
    quick,
    participants: Math.round(positive("participants", values.participants, quick ? 100 : 2000)),
    writes:
      writeRate === undefined
        ? { kind: "share", share: 0.1, everyMs: 10_000 }
        : { kind: "rate", perSecond: positive("write-rate", writeRate, 1) },
    durationSeconds: positive("duration", values.duration, quick ? 8 : 60),
    warmupSeconds: values.warmup === "0" ? 0 : positive("warmup", values.warmup, quick ? 2 : 5),
    connections: Math.round(positive("connections", values.connections, 256)),
    joinConcurrency: Math.round(positive("join-concurrency", values["join-concurrency"], 64)),
    peak: {
      enabled: values["no-peak"] !== true,
      tool,
      durationSeconds: peakDuration,
      warmupSeconds: quick ? 0 : 2,
      connections: Math.round(positive("peak-connections", values["peak-connections"], 32)),
      routes: (values["peak-routes"] ?? "")
        .split(",")
        .map((s) => s.trim().toLowerCase())
        .filter(Boolean),
    },
    heavy: values.heavy === true || (!quick && values["no-heavy"] !== true),
    cpuProf: values["cpu-prof"] === true,
    serverEnv,
    redisUrl: values["redis-url"] ?? "redis://127.0.0.1:6379/11",
    redisDriver,
    workers: Math.round(positive("workers", values.workers, 1)),
    resultsDir: values["results-dir"] ?? null,
    pollEveryMs: positive("poll-interval", values["poll-interval"], 2000),
    jitter: 0.2,
    followPollInterval: values["follow-poll-interval"] === true,
  };
}

export function describeWrites(w: WritePlan): string {
  return w.kind === "share" ? `${Math.round(w.share * 100)}% every ${w.everyMs / 1000} s` : `${w.perSecond}/s`;
}
