import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { createCajaServer, issueSignInCode, loadConfig, signInLink, stderrLogger } from "@caja/server";
import { createFreshPostgres, startReadyProcess } from "@caja/testing";

export const webDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const distDir = join(webDir, "dist");

function newest(dir: string): number {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : statSync(path).mtimeMs);
  }
  return latest;
}

/** CI builds before it tests; locally, build when dist/ is missing or older than src/ so the test never runs a stale app. */
export function ensureWebBuilt(): void {
  const index = join(distDir, "index.html");
  if (
    existsSync(index) &&
    statSync(index).mtimeMs >= Math.max(newest(join(webDir, "src")), statSync(join(webDir, "index.html")).mtimeMs)
  )
    return;
  const run = spawnSync("pnpm", ["exec", "turbo", "run", "build", "--filter=@caja/web", "--output-logs=errors-only"], {
    cwd: webDir,
    encoding: "utf8",
  });
  if (run.status !== 0) throw new Error(`building the web app failed:\n${run.stdout}\n${run.stderr}`);
}

export interface WebServer {
  url: string;
  adminToken(sub?: string): string;
  /** One-time sign-in links (`/present#code=...`), as the console prints them, made at start: each good once. */
  signInLinks: string[];
  stop(): Promise<void>;
}

/**
 * The real server on a real socket with a fresh PostgreSQL database, serving the built app at `/`
 * with the default polling interval and limits, as `pnpm start` would.
 */
export async function startWebServer(env: Record<string, string> = {}): Promise<WebServer> {
  const database = await createFreshPostgres("caja_web_test");
  const config = loadConfig({
    PORT: "0",
    HOST: "127.0.0.1",
    DATABASE_URL: database.url,
    JWT_SECRET: "web-test-secret-0123456789abcdefghijklmnopqr",
    CAJA_WEB_DIR: distDir,
    ...env,
  });
  const app = await createCajaServer(config, { logger: stderrLogger() });
  const url = await app.listen();
  const signInLinks: string[] = [];
  for (let i = 0; i < 2; i++) signInLinks.push(signInLink(url, (await issueSignInCode(app.db.db, 600)).code));
  return {
    url,
    adminToken: (sub = "presenter") => app.deps.tokens.sign({ sub, role: "admin" }, 3600).token,
    signInLinks,
    stop: async () => {
      await app.close();
      await database.drop();
    },
  };
}

/**
 * `startWebServer` in a child process, as `pnpm start` runs it: the browser driver's work in
 * this process must not count as the server's load (its poll-interval governor watches its own
 * event loop). Resolves once the server listens.
 */
export async function startWebServerProcess(env: Record<string, string> = {}): Promise<WebServer> {
  const child = await startReadyProcess<{ url: string; adminToken: string; signInLinks: string[] }>(
    join(webDir, "test/support/web-server-process.ts"),
    webDir,
    [JSON.stringify(env)],
  );
  const { url, adminToken, signInLinks } = child.ready;
  return { url, adminToken: () => adminToken, signInLinks, stop: child.stop };
}
