/**
 * `pnpm bench`: starts PostgreSQL-backed Caja, the Redis bridge and a bare
 * node:http baseline as child processes, runs the room, checks what it wrote,
 * measures peak throughput, prints a table and writes JSON under bench/results.
 * Exits 1 when a check fails, 2 when the bench itself could not run.
 */
import { mkdirSync, readFileSync, writeFileSync, existsSync } from "node:fs";
import { join } from "node:path";
import { parseOptions, usage } from "./options";
import { renderReport, type BenchResult } from "./report";
import { runBench } from "./run";
import { benchDir } from "./servers";

function save(result: BenchResult, dir: string): string {
  mkdirSync(dir, { recursive: true });
  const stamp = result.startedAt.replace(/[:.]/g, "-");
  const file = join(dir, `${stamp}-${result.mode}-${result.label.replace(/[^\w.-]+/g, "_")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  // The committed summary keeps the last full run of each shape (label), for the README:
  // a whole run (60 s or more, with peaks), not a shortened experiment.
  if (result.mode === "full" && result.peak !== null && result.options.durationSeconds >= 60) {
    const latest = join(dir, "latest-full.json");
    const previous = existsSync(latest)
      ? (JSON.parse(readFileSync(latest, "utf8")) as { runs?: Record<string, BenchResult> })
      : {};
    const runs = { ...(previous.runs ?? {}), [result.label]: result };
    writeFileSync(latest, JSON.stringify({ runs }, null, 2) + "\n");
  }
  return file;
}

async function main(): Promise<number> {
  let options;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : error);
    console.error(usage);
    return 2;
  }
  if (options === "help") {
    console.log(usage);
    return 0;
  }
  const command = ["pnpm bench", ...process.argv.slice(2)].join(" ");
  const result = await runBench(options, command);
  console.log(renderReport(result));
  const file = save(result, options.resultsDir ?? join(benchDir, "results"));
  console.log(`results: ${file}`);
  return result.ok ? 0 : 1;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error("[bench] could not run:", error instanceof Error ? (error.stack ?? error.message) : error);
    process.exit(2);
  },
);
