import { execFile, spawnSync } from "node:child_process";
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

export type PeakTool = "wrk" | "autocannon";

/** One closed-loop run: what came back and how fast. */
export interface ToolRun {
  seconds: number;
  statuses: Record<string, number>;
  latencyMs: { p50: number; p99: number; max: number };
}

export interface ToolRequest {
  url: string;
  headers: Record<string, string>;
  connections: number;
  seconds: number;
}

/**
 * wrk (C, from Debian) when it is installed, else autocannon (npm). On two
 * shared cores the generator's own cost matters: autocannon needs about a core
 * to push a bare node:http server, wrk a fraction of one, so with autocannon the
 * baseline is partly capped by the generator and the ratios read high.
 */
export function pickPeakTool(wanted: "auto" | PeakTool): PeakTool {
  const hasWrk = spawnSync("wrk", ["--version"], { stdio: "ignore" }).error === undefined;
  if (wanted === "wrk" && !hasWrk) throw new Error("--peak-tool wrk: wrk is not installed (apt-get install -y wrk)");
  if (wanted === "auto") return hasWrk ? "wrk" : "autocannon";
  return wanted;
}

export async function runTool(tool: PeakTool, request: ToolRequest): Promise<ToolRun> {
  return tool === "wrk" ? runWrk(request) : runAutocannon(request);
}

async function runAutocannon(r: ToolRequest): Promise<ToolRun> {
  const result = await autocannon({
    url: r.url,
    headers: r.headers,
    connections: r.connections,
    pipelining: 1,
    timeout: 10,
    duration: r.seconds,
  });
  const statuses: Record<string, number> = {};
  for (const [code, stat] of Object.entries(result.statusCodeStats ?? {})) statuses[code] = stat.count ?? 0;
  if (result.errors > 0) statuses.error = result.errors;
  return {
    seconds: result.duration,
    statuses,
    latencyMs: { p50: result.latency.p50, p99: result.latency.p99, max: result.latency.max },
  };
}

/** Counts statuses per thread and prints one JSON line at the end (wrk's own summary has no per-status counts). */
const WRK_SCRIPT = `
local threads = {}
function setup(thread) table.insert(threads, thread) end
function init(args) counts = {} end
function response(status, headers, body) counts[status] = (counts[status] or 0) + 1 end
function done(summary, latency, requests)
  local total = {}
  for _, t in ipairs(threads) do
    for status, n in pairs(t:get("counts")) do total[status] = (total[status] or 0) + n end
  end
  local parts = {}
  for status, n in pairs(total) do table.insert(parts, string.format('"%d":%d', status, n)) end
  local e = summary.errors
  io.write(string.format('WRK_JSON {"duration_us":%d,"requests":%d,"errors":%d,"p50_us":%d,"p99_us":%d,"max_us":%d,"statuses":{%s}}\\n',
    summary.duration, summary.requests, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50), latency:percentile(99), latency.max, table.concat(parts, ",")))
end
`;

let scriptPath: string | null = null;

function runWrk(r: ToolRequest): Promise<ToolRun> {
  scriptPath ??= join(mkdtempSync(join(tmpdir(), "caja-bench-wrk-")), "count.lua");
  writeFileSync(scriptPath, WRK_SCRIPT);
  const args = ["-t1", `-c${r.connections}`, `-d${Math.max(1, Math.round(r.seconds))}s`, "--timeout", "10s", "-s", scriptPath];
  for (const [name, value] of Object.entries(r.headers)) args.push("-H", `${name}: ${value}`);
  args.push(r.url);
  return new Promise((resolve, reject) => {
    execFile("wrk", args, { timeout: (r.seconds + 30) * 1000 }, (error, stdout, stderr) => {
      if (error) return reject(new Error(`wrk failed: ${error.message}\n${stderr}`));
      const line = stdout.split("\n").find((l) => l.startsWith("WRK_JSON "));
      if (!line) return reject(new Error(`wrk printed no summary:\n${stdout}`));
      const j = JSON.parse(line.slice(9)) as {
        duration_us: number;
        errors: number;
        p50_us: number;
        p99_us: number;
        max_us: number;
        statuses: Record<string, number>;
      };
      const statuses = { ...j.statuses };
      if (j.errors > 0) statuses.error = j.errors;
      resolve({
        seconds: j.duration_us / 1e6,
        statuses,
        latencyMs: { p50: j.p50_us / 1000, p99: j.p99_us / 1000, max: j.max_us / 1000 },
      });
    });
  });
}
