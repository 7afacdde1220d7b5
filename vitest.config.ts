import { defineConfig } from "vitest/config";

/**
 * Every suite runs on the real PostgreSQL server; the database-facing suites run
 * a second time on PGlite, the embedded default. Each file creates its own
 * fresh database.
 */
const dbSuites = [
  "packages/api/test/**/*.test.ts",
  "apps/server/test/rest-*.test.ts",
  "apps/server/test/polling.test.ts",
  "apps/server/test/trpc*.test.ts",
  "apps/server/test/export.test.ts",
];

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
          env: { CAJA_TEST_DB: "postgres" },
        },
      },
      {
        extends: true,
        test: { name: "pglite", include: dbSuites, exclude: ["**/*.postgres-only.test.ts"], env: { CAJA_TEST_DB: "pglite" } },
      },
    ],
  },
});
