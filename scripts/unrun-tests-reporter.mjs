// A vitest reporter for scripts/test.mjs: the tests that were meant to run and never did, because a
// beforeAll or the file's setup failed (PostgreSQL down, a port taken). Vitest lists them as skipped,
// like the ones a test skips on purpose (`it.skipIf`, `-t`); those have mode "skip", these keep "run".
import { writeFileSync } from "node:fs";
import { relative } from "node:path";

export default class UnrunTestsReporter {
  onTestRunEnd(testModules) {
    const unrun = [];
    for (const module of testModules) {
      for (const test of module.children.allTests()) {
        if (test.options.mode === "run" && test.result().state === "skipped") {
          unrun.push(`${relative(process.cwd(), module.moduleId)} > ${test.fullName}`);
        }
      }
    }
    const out = process.env.CAJA_UNRUN_REPORT;
    if (out) writeFileSync(out, JSON.stringify(unrun));
  }
}
