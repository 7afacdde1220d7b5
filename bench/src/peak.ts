import { runTool, type PeakTool } from "./peak-tools";
import { ProcessMeter } from "./resources";

export interface PeakTarget {
  name: string;
  /** Which answer the run is meant to exercise: 200 (full body) or 304 (If-None-Match matches). */
  expect: 200 | 304;
  url: string;
  headers: Record<string, string>;
  /** The process answering, whose CPU is read over the run. */
  pid: number;
  /** Called just before the run, e.g. to fetch the current ETag. */
  prepare?: () => Promise<Record<string, string>>;
}

export interface PeakResult {
  name: string;
  expect: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p99: number; max: number };
  statuses: Record<string, number>;
  /** Share of answers with the expected status (a 304 run whose ETag went stale answers 200). */
  expectedShare: number;
  serverCpuPercent: number;
  /** Server CPU per answer: what the route costs, whoever else shares the cores. */
  serverCpuMicrosPerRequest: number;
  /** requestsPerSecond / the baseline's, filled in by the caller. */
  ratio: number | null;
  /** The baseline's CPU per request / this route's: the throughput ratio if each had a core to itself. */
  cpuRatio: number | null;
}

export interface PeakOptions {
  tool: PeakTool;
  connections: number;
  durationSeconds: number;
  warmupSeconds: number;
}

/**
 * Closed-loop saturation: `connections` keep-alive connections, each sending
 * its next request as soon as the previous answer arrives. The server and the
 * generator share the two cores, so figures compare only within a run.
 */
export async function runPeak(target: PeakTarget, options: PeakOptions): Promise<PeakResult> {
  let request = {
    url: target.url,
    headers: { ...target.headers, ...((await target.prepare?.()) ?? {}) },
    connections: options.connections,
  };
  // JIT and caches warm: a cold first second would be counted against whichever route runs first.
  if (options.warmupSeconds > 0) {
    await runTool(options.tool, { ...request, seconds: options.warmupSeconds });
    // Read again (the ETag): the warm-up may have moved the state, e.g. the governor's poll_interval_ms.
    if (target.prepare) request = { ...request, headers: { ...target.headers, ...(await target.prepare()) } };
  }
  const meter = new ProcessMeter(target.pid);
  meter.start();
  const run = await runTool(options.tool, { ...request, seconds: options.durationSeconds });
  const usage = meter.stop();

  let answered = 0;
  for (const [code, n] of Object.entries(run.statuses)) if (code !== "error") answered += n;
  return {
    name: target.name,
    expect: target.expect,
    requestsPerSecond: answered / run.seconds,
    latencyMs: run.latencyMs,
    statuses: run.statuses,
    expectedShare: answered > 0 ? (run.statuses[String(target.expect)] ?? 0) / answered : 0,
    serverCpuPercent: usage.cpuPercent,
    serverCpuMicrosPerRequest: answered > 0 ? (usage.cpuSeconds * 1e6) / answered : 0,
    ratio: null,
    cpuRatio: null,
  };
}
