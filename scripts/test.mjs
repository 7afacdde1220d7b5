#!/usr/bin/env node
// `pnpm test`: runs every suite (PostgreSQL and PGlite projects) and ends with the
// line CI reads, `N passed, N failed`, computed from vitest's JSON report.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const dir = mkdtempSync(join(tmpdir(), "caja-test-"));
const report = join(dir, "vitest.json");
const run = spawnSync(
  "pnpm",
  ["exec", "vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...process.argv.slice(2)],
  { stdio: "inherit" },
);

let passed = 0;
let failed = 0;
let skipped = 0;
try {
  const result = JSON.parse(readFileSync(report, "utf8"));
  passed = result.numPassedTests;
  failed = result.numFailedTests;
  skipped = result.numPendingTests + result.numTodoTests;
  // A file that fails to load has no tests but must still fail the run.
  const brokenFiles = result.testResults.filter((f) => f.status === "failed" && f.assertionResults.length === 0).length;
  failed += brokenFiles;
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
const exitCode = failed > 0 || run.status !== 0 ? 1 : 0;
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(exitCode);
