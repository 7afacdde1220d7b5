import { configDefaults, defineConfig } from "vitest/config";

/**
 * Three projects, all on real services; each file creates its own fresh database.
 * - postgres: every suite on the real PostgreSQL server, several files at a time.
 * - pglite: the suites that exercise the database layer (the api suites call every
 *   query) and two HTTP suites, again on PGlite, the embedded default. The other
 *   HTTP suites would repeat the same queries through another door.
 * - postgres-solo: suites that start processes, stop databases or measure time
 *   (outages, shutdown, slow clients, browsers, the bench smoke). They run one at
 *   a time after the others, so that no other file's load bends their clocks.
 * Most files wait on sockets and child processes, so more workers than cores pays;
 * CAJA_TEST_WORKERS overrides the count.
 */
const soloSuites = [
  "apps/server/test/faults*.test.ts",
  "apps/server/test/shutdown.test.ts",
  "apps/server/test/http-limits.test.ts",
  "apps/server/test/multi-instance.test.ts",
  "packages/api/test/cross-instance-freshness.postgres-only.test.ts",
  "apps/server/test/workers.test.ts",
  "apps/web/test/browser.test.ts",
  "packages/client/test/browser.test.ts",
  "bench/test/**/*.test.ts",
];

const pgliteSuites = [
  "packages/api/test/**/*.test.ts",
  "apps/server/test/rest-sessions.test.ts",
  "apps/server/test/polling.test.ts",
];

const workers = Number(process.env.CAJA_TEST_WORKERS) || 3;

export default defineConfig({
  test: {
    testTimeout: 30_000,
    hookTimeout: 60_000,
    projects: [
      {
        extends: true,
        test: {
          name: "postgres",
          include: ["packages/*/test/**/*.test.ts", "apps/*/test/**/*.test.ts", "bench/test/**/*.test.ts"],
          exclude: [...configDefaults.exclude, ...soloSuites],
          env: { CAJA_TEST_DB: "postgres" },
          maxWorkers: workers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "pglite",
          include: pgliteSuites,
          exclude: [...configDefaults.exclude, "**/*.postgres-only.test.ts", "packages/api/test/access-matrix.test.ts"],
          env: { CAJA_TEST_DB: "pglite" },
          maxWorkers: workers,
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: "postgres-solo",
          include: soloSuites,
          env: { CAJA_TEST_DB: "postgres" },
          maxWorkers: 1,
          sequence: { groupOrder: 1 },
        },
      },
    ],
  },
});
