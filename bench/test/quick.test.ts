import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import type { BenchResult } from "../src/report";

const benchDir = fileURLToPath(new URL("..", import.meta.url));
const resultsDir = mkdtempSync(join(tmpdir(), "caja-bench-test-"));
afterAll(() => rmSync(resultsDir, { recursive: true, force: true }));

/** Runs `pnpm bench --quick` the way CI would, as a process of its own. */
function runQuickBench(): Promise<{ code: number | null; output: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ["--import", "tsx", "src/cli.ts", "--quick", "--results-dir", resultsDir], {
      cwd: benchDir,
      stdio: ["ignore", "pipe", "pipe"],
    });
    let output = "";
    child.stdout.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (output += chunk.toString()));
    child.on("exit", (code) => resolve({ code, output }));
  });
}

describe("pnpm bench --quick", () => {
  it("runs the room against a real server, passes its checks and writes sane JSON", async () => {
    const { code, output } = await runQuickBench();
    expect(code, output).toBe(0);
    expect(output).toContain("same cores as the server");

    const files = readdirSync(resultsDir).filter((f) => f.endsWith(".json"));
    expect(files).toHaveLength(1);
    const result = JSON.parse(readFileSync(join(resultsDir, files[0] as string), "utf8")) as BenchResult;

    expect(result).toMatchObject({ version: 1, mode: "quick", ok: true });
    expect(result.checks.length).toBeGreaterThanOrEqual(5);
    for (const check of result.checks) expect(check.ok, `${check.name}: ${check.detail}`).toBe(true);
    expect(result.checks.filter((c) => c.fatal).length).toBe(5);

    expect(result.setup.joins).toBe(result.options.participants);
    expect(result.scenario.routes.map((r) => r.route)).toEqual([
      "GET session status",
      "GET activity status",
      "GET activity results",
      "POST response",
      "GET responses/since (cursor presenter)",
      "GET responses/since (timestamp presenter)",
    ]);
    for (const route of result.scenario.routes) {
      expect(route.requests, route.route).toBeGreaterThan(0);
      expect(route.serverErrors, route.route).toBe(0);
      expect(route.latencyMs.p50, route.route).toBeGreaterThan(0);
      expect(route.latencyMs.p99, route.route).toBeGreaterThanOrEqual(route.latencyMs.p50);
      expect(route.latencyMs.max, route.route).toBeGreaterThanOrEqual(route.latencyMs.p99);
    }
    // Participants poll three routes every 2 s: the window saw about that many polls.
    const [first, second, third] = result.scenario.routes;
    const polls = (first?.requests ?? 0) + (second?.requests ?? 0) + (third?.requests ?? 0);
    expect(polls).toBeGreaterThan(0.7 * result.scenario.offered.pollsPerSecond * result.scenario.windowSeconds);

    expect(result.resources.server.cpuPercent).toBeGreaterThan(0);
    expect(result.resources.server.rssMaxMb).toBeGreaterThan(20);
    expect(result.database.polls).toBe(polls);
    expect(result.database.transactions).toBeGreaterThan(0);

    expect(result.peak?.runs).toHaveLength(11);
    for (const run of result.peak?.runs ?? []) expect(run.requestsPerSecond, run.name).toBeGreaterThan(0);
    expect(result.peak?.runs.slice(1).every((r) => r.ratio !== null && r.ratio > 0)).toBe(true);
    expect(result.targets.length).toBe(5);
  }, 240_000);
});
