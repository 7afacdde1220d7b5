// The production artifact as an operator deploys it: scripts/build-artifact.sh (the Dockerfile's
// own build step) into an empty folder, then `caja migrate` and the server from that folder alone,
// with node and production dependencies only, on a fresh PostgreSQL database and the machine's Redis.
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { createFreshPostgres } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openRoom, paths } from "./polling-setup";
import { startServerProcess, type ServerProcess } from "./server-process";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
let artifact = "";
let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
let server: ServerProcess | undefined;

const env = () => ({
  DATABASE_URL: fresh.url,
  REDIS_URL: "redis://127.0.0.1:6379",
  REDIS_KEY_PREFIX: `caja-artifact-${process.pid}:`,
  MIGRATE_ON_START: "false",
  METRICS_TOKEN: "artifact-metrics-token-0123456789",
});
const launch = () => ({ args: [join(artifact, "dist/main.js")], cwd: artifact });

/** Runs `node <artifact>/dist/<script>` with only PATH and `extra` in its environment. */
function runNode(script: string, args: string[], extra: Record<string, string>) {
  const run = spawnSync(process.execPath, [join(artifact, "dist", script), ...args], {
    cwd: artifact,
    env: { PATH: process.env.PATH ?? "", ...extra },
    encoding: "utf8",
    timeout: 30_000,
  });
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

/**
 * What an `import` in dist/ resolves `specifier` to, asked of a node started in the artifact with
 * a clean environment (this process's NODE_PATH, set by pnpm, would find the workspace's packages);
 * null when nothing answers it.
 */
function resolveInArtifact(specifier: string): string | null {
  const run = spawnSync(
    process.execPath,
    ["--input-type=module", "-e", `console.log(import.meta.resolve(${JSON.stringify(specifier)}))`],
    { cwd: join(artifact, "dist"), env: { PATH: process.env.PATH ?? "" }, encoding: "utf8" },
  );
  return run.status === 0 ? fileURLToPath(run.stdout.trim()) : null;
}

function* files(dir: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* files(path);
    else yield path;
  }
}

beforeAll(() => {
  artifact = mkdtempSync(join(tmpdir(), "caja-artifact-"));
  const build = spawnSync("bash", [join(repo, "scripts/build-artifact.sh"), artifact], { cwd: repo, encoding: "utf8" });
  if (build.status !== 0) throw new Error(`scripts/build-artifact.sh failed:\n${build.stdout}\n${build.stderr}`);
}, 240_000);

beforeAll(async () => {
  fresh = await createFreshPostgres();
});

afterAll(async () => {
  await server?.dispose();
  await fresh?.drop();
  if (artifact) rmSync(artifact, { recursive: true, force: true });
});

describe("the production artifact (scripts/build-artifact.sh)", () => {
  it("holds the compiled server, its migrations and the web app: no TypeScript source", () => {
    for (const file of [
      "dist/main.js",
      "dist/cli.js",
      "dist/healthcheck.js",
      "dist/migrations/meta/_journal.json",
      "dist/web/index.html",
    ]) {
      expect(existsSync(join(artifact, file)), file).toBe(true);
    }
    const own = [...files(artifact)].map((file) => relative(artifact, file)).filter((file) => !file.startsWith("node_modules/"));
    expect(own.filter((file) => /\.(ts|tsx|mts|cts)$/.test(file))).toEqual([]);
  });

  it("has production dependencies only: neither tsx nor TypeScript is installed, let alone reachable", () => {
    for (const name of ["tsx", "typescript", "vitest", "esbuild", "@caja/db", "@caja/testing"]) {
      expect(resolveInArtifact(name), name).toBeNull();
    }
    // Not even installed for another package (pnpm keeps every package under .pnpm).
    const installed = readdirSync(join(artifact, "node_modules/.pnpm"));
    expect(installed.filter((name) => /^(tsx|typescript|esbuild|vitest|@caja\+)/.test(name))).toEqual([]);
    expect(resolveInArtifact("drizzle-orm")).toMatch(/node_modules/);
    const manifest = readFileSync(join(artifact, "package.json"), "utf8");
    expect(manifest).not.toMatch(/"(workspace|catalog):|tsx/);
    expect(JSON.parse(manifest)).toMatchObject({ type: "module", scripts: { start: "node dist/main.js" } });
  });

  it("has what logs, metrics and traces load (pino, prom-client, OpenTelemetry), and not pino-pretty: JSON logs", () => {
    for (const name of [
      "pino",
      "prom-client",
      "@opentelemetry/api",
      "@opentelemetry/sdk-trace",
      "@opentelemetry/exporter-trace-otlp-http",
    ]) {
      expect(resolveInArtifact(name), name).toMatch(/node_modules/);
    }
    expect(resolveInArtifact("pino-pretty")).toBeNull();
  });

  it("carries the patches of postgres and @trpc/server (patchedDependencies)", () => {
    const postgresEntry = resolveInArtifact("postgres");
    expect(postgresEntry).toMatch(/node_modules\/postgres\/src\/index\.js$/);
    expect(readFileSync(join(dirname(postgresEntry ?? ""), "connection.js"), "utf8")).toContain("Caja patch");
    const trpcDist = dirname(resolveInArtifact("@trpc/server") ?? "");
    const spread = readdirSync(trpcDist)
      .filter((name) => name.endsWith(".mjs"))
      .map((name) => readFileSync(join(trpcDist, name), "utf8"))
      .filter((text) => text.includes("function _objectSpread2("));
    expect(spread.length).toBeGreaterThan(0);
    expect(spread.filter((text) => !text.includes("Caja patch"))).toEqual([]);
  });

  it("refuses to serve a database `caja migrate` has not migrated when MIGRATE_ON_START=false", async () => {
    await expect(startServerProcess(env(), 20_000, launch())).rejects.toThrow(
      /exited \(1\)[\s\S]*lacks \d+ migrations[\s\S]*caja migrate/,
    );
  });

  it("`caja migrate` (node dist/cli.js migrate) applies the migrations, and again is a no-op", () => {
    const first = runNode("cli.js", ["migrate"], { DATABASE_URL: fresh.url });
    expect(first, first.output).toMatchObject({ status: 0 });
    expect(first.output).toMatch(/migrations applied/);
    expect(runNode("cli.js", ["migrate"], { DATABASE_URL: fresh.url }).status).toBe(0);
  });

  it("serves a session from node dist/main.js: create, join, submit, poll; the web app and the docs", async () => {
    server = await startServerProcess(env(), 20_000, launch());
    const room = await openRoom(server, 1, "alice", { type: "poll", config: { question: "Lunch?", options: ["a", "b"] } });
    const [participant] = room.participants;
    expect(participant).toBeDefined();
    const submit = await call(server.url, "POST", paths(room).submit, participant?.token, {
      response_data: { selected_options: ["b"] },
    });
    expect(submit.status, JSON.stringify(submit.body)).toBe(201);
    // The feed shows a row once its writer is below the watermark (50 ms at the earliest): wait for it.
    const feed = () => call(server?.url ?? "", "GET", paths(room).feed("2020-01-01T00:00:00Z"), room.admin);
    await expect
      .poll(
        async () => {
          const answer = await feed();
          return `${answer.status} ${JSON.stringify(answer.body)}`;
        },
        { timeout: 10_000, interval: 50 },
      )
      .toMatch(/^200 .*"selected_options":\["b"\]/);
    const results = await call(
      server.url,
      "GET",
      `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}/results`,
      room.admin,
    );
    expect(results.status).toBe(200);
    expect((await call(server.url, "GET", paths(room).session, participant?.token)).status).toBe(200);
    expect(server.output.join("")).toMatch(/cache: Redis \(native\)/);
    // Its stdout is the request log, one JSON line each; /metrics counts the same requests.
    // Lines reach stdout once per turn of its event loop: wait for the status poll's.
    for (
      let waited = 0;
      waited < 5000 && !/"route":"\/api\/sessions\/\{session_id\}\/status"/.test(server.stdout.join(""));
      waited += 50
    ) {
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(server.stdout.join("")).toMatch(/"method":"GET","route":"\/api\/sessions\/\{session_id\}\/status","status":200/);
    const metrics = await fetch(`${server.url}/metrics`, {
      headers: { authorization: "Bearer artifact-metrics-token-0123456789" },
    });
    expect(await metrics.text()).toMatch(
      /caja_http_request_duration_seconds_count\{method="POST",route="\/api\/v1\/sessions\/join",status="201"\} 1/,
    );

    const web = await fetch(`${server.url}/present`);
    expect(web.status).toBe(200);
    expect(await web.text()).toMatch(/<div id="root">/);
    expect((await fetch(`${server.url}/docs/swagger-ui.css`)).status).toBe(200);
  });

  it("answers the image's HEALTHCHECK (node dist/healthcheck.js): 0 when ready, 1 when nothing answers", () => {
    expect(runNode("healthcheck.js", [], { PORT: String(server?.port) })).toMatchObject({ status: 0 });
    expect(runNode("healthcheck.js", [], { PORT: "1" })).toMatchObject({ status: 1 });
  });

  it("stops on SIGTERM with exit code 0", async () => {
    const stopped = await server?.terminate();
    expect(stopped?.code, server?.output.join("")).toBe(0);
  });
});
