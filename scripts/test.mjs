#!/usr/bin/env node
// `pnpm test`: runs every suite (PostgreSQL and PGlite projects) and ends with the
// line CI reads, `N passed, N failed`, computed from vitest's JSON report. A test whose
// setup failed (vitest: skipped) counts as failed: see unrun-tests-reporter.mjs.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const dir = mkdtempSync(join(tmpdir(), "caja-test-"));
const report = join(dir, "vitest.json");
const unrunReport = join(dir, "unrun.json");
const unrunReporter = fileURLToPath(new URL("./unrun-tests-reporter.mjs", import.meta.url));
const run = spawnSync(
  "pnpm",
  [
    "exec",
    "vitest",
    "run",
    "--reporter=default",
    "--reporter=json",
    `--reporter=${unrunReporter}`,
    `--outputFile.json=${report}`,
    ...process.argv.slice(2),
  ],
  { stdio: "inherit", env: { ...process.env, CAJA_UNRUN_REPORT: unrunReport } },
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
  // Meant to run, never ran: their file's or suite's setup failed. Failures, not skips.
  const unrun = JSON.parse(readFileSync(unrunReport, "utf8"));
  if (unrun.length > 0) {
    console.log(`\n${unrun.length} tests did not run because their setup failed:`);
    for (const name of unrun.slice(0, 20)) console.log(`  ${name}`);
    if (unrun.length > 20) console.log(`  ... and ${unrun.length - 20} more`);
  }
  failed += unrun.length;
  skipped -= unrun.length;
} catch {
  failed = Math.max(failed, 1);
}
rmSync(dir, { recursive: true, force: true });
const exitCode = failed > 0 || run.status !== 0 ? 1 : 0;
if (exitCode !== 0 && failed === 0) failed = 1;
console.log(`\n${passed} passed, ${failed} failed${skipped ? `, ${skipped} skipped` : ""}`);
process.exit(exitCode);
