import { configDefaults, defineConfig } from "vitest/config";

/**
 * Three projects, all on real services; each file creates its own fresh database.
 * - postgres: every suite on the real PostgreSQL server, several files at a time.
 * - pglite: again on PGlite, the embedded default, the API suites that between them
 *   run every kind of statement the product sends (the lifecycle, both feeds, each
 *   response mode, idempotency, results, moderation, votes, export, presence, the seat
 *   check, the backfill of nickname keys at start-up). The other suites would repeat the
 *   same statements through another door; each PGlite file costs about 20 s of a worker.
 * - postgres-solo: suites that start processes, stop databases or measure time
 *   (outages, shutdown, slow clients, browsers, the bench smoke, the production artifact). They run one at
 *   a time after the others, so that no other file's load bends their clocks.
 * Most files wait on sockets and child processes, so more workers than cores pays;
 * CAJA_TEST_WORKERS overrides the count.
 */
const soloSuites = [
  "apps/server/test/faults*.test.ts",
  "apps/server/test/shutdown.test.ts",
  "apps/server/test/http-limits.test.ts",
  "apps/server/test/multi-instance*.test.ts",
  "packages/api/test/cross-instance-freshness.postgres-only.test.ts",
  // Start and stop a PostgreSQL of their own, and hold connections on locks and cut sockets.
  "packages/testing/test/db-deadlines.test.ts",
  "packages/testing/test/postgres-driver-faults.test.ts",
  "apps/server/test/workers.test.ts",
  "apps/server/test/artifact.test.ts",
  "apps/server/test/proxy.test.ts",
  "apps/web/test/browser.test.ts",
  "apps/server/test/docs-browser.test.ts",
  "packages/client/test/browser.test.ts",
  "bench/test/**/*.test.ts",
];

const pgliteSuites = [
  "flow",
  "feed-positions",
  "feed-timestamp",
  "feed-concurrency",
  "response-modes",
  "idempotency",
  "results",
  "moderation",
  "votes",
  "export-rows",
  "presence",
  "seat-check",
  "nickname-keys",
].map((name) => `packages/api/test/${name}.test.ts`);

const workers = Number(process.env.CAJA_TEST_WORKERS) || 4;

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
          exclude: configDefaults.exclude,
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
