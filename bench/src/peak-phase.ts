import { callJson, createPool, paths } from "./http";
import { runPeak, type PeakOptions, type PeakResult, type PeakTarget } from "./peak";
import type { PeakFixture } from "./setup";
import type { Measured } from "./servers";
import type { ErrorLedger } from "./stats";

export interface PeakPhase {
  tool: string;
  connections: number;
  durationSeconds: number;
  baselineRequestsPerSecond: number;
  runs: PeakResult[];
}

/**
 * The baseline first, then each polling route twice: without If-None-Match
 * (the 200 path: full body) and with the current ETag (the 304 path). The ETag
 * is read right before its run so the run starts on a match.
 */
/** `--peak-routes`: a fragment of the name, optionally `:200` or `:304` for one path. */
function wanted(filters: string[], target: PeakTarget): boolean {
  if (filters.length === 0) return true;
  return filters.some((filter) => {
    const [fragment = "", path] = filter.split(/:(?=\d{3}$)/);
    return target.name.toLowerCase().includes(fragment) && (path === undefined || Number(path) === target.expect);
  });
}

export async function runPeakPhase(
  server: Measured,
  baseline: Measured,
  fixture: PeakFixture,
  options: PeakOptions & { enabled: boolean; routes: string[] },
  ledger: ErrorLedger,
  log: (line: string) => void,
): Promise<PeakPhase> {
  const pool = createPool(server.url, 1);
  try {
    const routes = [
      { name: "GET session status", path: paths.sessionStatus(fixture.sessionId), token: fixture.participantToken },
      {
        name: "GET activity status",
        path: paths.activityStatus(fixture.sessionId, fixture.activityId),
        token: fixture.participantToken,
      },
      {
        name: "GET activity results",
        path: paths.activityResults(fixture.sessionId, fixture.activityId),
        token: fixture.participantToken,
      },
      {
        name: "GET responses/since (cursor at head)",
        path: paths.feed(fixture.sessionId, fixture.activityId, "2000-01-01T00:00:00Z", fixture.feedCursor, 100),
        token: fixture.adminToken,
      },
      {
        name: "GET responses/since (timestamp at head)",
        path: paths.feed(fixture.sessionId, fixture.activityId, fixture.feedNewest, null, 100),
        token: fixture.adminToken,
      },
    ];
    const targets: PeakTarget[] = [
      { name: "bare node:http baseline", expect: 200, url: `${baseline.url}/`, headers: {}, pid: baseline.pid },
    ];
    for (const route of routes) {
      const headers = { authorization: `Bearer ${route.token}` };
      targets.push({ name: route.name, expect: 200, url: server.url + route.path, headers, pid: server.pid });
      targets.push({
        name: route.name,
        expect: 304,
        url: server.url + route.path,
        headers,
        pid: server.pid,
        prepare: async () => {
          const answer = await callJson(pool, ledger, "GET", route.path, { token: route.token });
          if (!answer.etag) throw new Error(`${route.name}: no ETag (status ${answer.status})`);
          return { "if-none-match": answer.etag };
        },
      });
    }
    const runs: PeakResult[] = [];
    for (const target of targets.filter((t, i) => i === 0 || wanted(options.routes, t))) {
      log(`peak: ${target.name} (${target.expect})`);
      const run = await runPeak(target, options);
      // A peak run's 5xx are server errors like any other.
      for (const [code, n] of Object.entries(run.statuses)) ledger.note(`peak ${target.name}`, Number(code), "", n);
      runs.push(run);
    }
    const baselineRps = runs[0]?.requestsPerSecond ?? 0;
    const baselineCpu = runs[0]?.serverCpuMicrosPerRequest ?? 0;
    for (const run of runs.slice(1)) {
      run.ratio = baselineRps > 0 ? run.requestsPerSecond / baselineRps : null;
      run.cpuRatio = run.serverCpuMicrosPerRequest > 0 ? baselineCpu / run.serverCpuMicrosPerRequest : null;
    }
    return {
      tool: options.tool,
      connections: options.connections,
      durationSeconds: options.durationSeconds,
      baselineRequestsPerSecond: baselineRps,
      runs,
    };
  } finally {
    await pool.close();
  }
}
