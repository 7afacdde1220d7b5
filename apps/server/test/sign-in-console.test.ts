import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createFreshPostgres } from "@caja/testing";
import { afterAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./server-process";

/**
 * Who may print what: the server prints an admin token and a sign-in link only on the embedded
 * default (PGlite, no DATABASE_URL), whose console is its operator's; elsewhere its output goes to
 * log collectors, and `pnpm caja sign-in-link` makes a link on demand. Real processes, real stdout.
 */
const JWT = /ey[\w-]+\.ey[\w-]+\.[\w-]+/;
const LINK = /(http:\/\/\S+)\/present#code=([\w-]+)/;

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const cliPath = fileURLToPath(new URL("../src/cli.ts", import.meta.url));

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

// A PGlite data directory is created and migrated at start: slow on a busy machine.
const START_TIMEOUT_MS = 120_000;

async function start(env: Record<string, string>): Promise<ServerProcess> {
  const server = await startServerProcess(env, START_TIMEOUT_MS);
  cleanups.push(() => server.dispose());
  return server;
}

async function freshPostgres(): Promise<string> {
  const database = await createFreshPostgres();
  cleanups.push(database.drop);
  return database.url;
}

/** Waits until the process has said how to sign in (the start-up story's last lines). */
async function saidHowToSignIn(server: ServerProcess): Promise<string> {
  await expect.poll(() => server.output.join(""), { timeout: 20_000 }).toMatch(/sign-in-link|present#code=/);
  return server.output.join("");
}

async function redeem(url: string, code: string): Promise<{ status: number; token?: string }> {
  const res = await fetch(`${url}/sign-in`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ code }),
  });
  const body = (await res.json()) as { token?: string };
  return { status: res.status, token: body.token };
}

async function cli(args: string[], env: Record<string, string>) {
  const dataDir = mkdtempSync(join(tmpdir(), "caja-cli-"));
  cleanups.push(() => Promise.resolve(rmSync(dataDir, { recursive: true, force: true })));
  const run = promisify(execFile)(process.execPath, ["--import", "tsx", cliPath, ...args], {
    cwd: serverDir,
    env: { PATH: process.env.PATH ?? "", CAJA_DATA_DIR: dataDir, ...env },
  });
  try {
    const { stdout, stderr } = await run;
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? "", stderr: failed.stderr ?? "" };
  }
}

describe("what `pnpm start` prints (src/main.ts in a process of its own)", () => {
  it(
    "on the embedded default: an admin token and a one-time sign-in link, which works once",
    async () => {
      const server = await start({ JWT_SECRET: "" });
      const output = await saidHowToSignIn(server);
      const token = JWT.exec(output)?.[0] ?? "";
      const sessions = await fetch(`${server.url}/api/v1/sessions`, { headers: { authorization: `Bearer ${token}` } });
      expect(sessions.status).toBe(200);

      const [, base, code = ""] = LINK.exec(output) ?? [];
      expect(base).toBe(server.url);
      const printedSoFar = server.output.join("").length;
      expect((await redeem(server.url, code)).status).toBe(200);
      expect((await redeem(server.url, code)).status).toBe(401);
      // Using it logs neither the code nor a token.
      const since = server.output.join("").slice(printedSoFar);
      expect(since).not.toContain(code);
      expect(since).not.toMatch(JWT);
    },
    START_TIMEOUT_MS + 30_000,
  );

  it("on PostgreSQL without JWT_SECRET: no token and no link, only how to get a link", async () => {
    const output = await saidHowToSignIn(await start({ DATABASE_URL: await freshPostgres(), JWT_SECRET: "" }));
    expect(output).not.toMatch(JWT);
    expect(output).not.toMatch(LINK);
    expect(output).toContain("pnpm caja sign-in-link");
  });
});

describe("pnpm caja sign-in-link", () => {
  it("prints a link whose code the running server accepts once, and logs neither the code nor the token", async () => {
    const databaseUrl = await freshPostgres();
    const server = await start({ DATABASE_URL: databaseUrl, JWT_SECRET: "" });
    await saidHowToSignIn(server);
    const made = await cli(["sign-in-link", "--url", server.url], { DATABASE_URL: databaseUrl });
    expect(made.code).toBe(0);
    // stdout is the link alone, for `$(pnpm -s caja sign-in-link)`; the rest goes to stderr.
    const [, base, code = ""] = LINK.exec(made.stdout.trim()) ?? [];
    expect(made.stdout.trim()).toBe(`${base}/present#code=${code}`);
    expect(made.stderr).toMatch(/works once, until \d{4}-/);

    const first = await redeem(server.url, code);
    expect(first.status).toBe(200);
    expect((await redeem(server.url, code)).status).toBe(401);
    const logged = server.output.join("");
    expect(logged).not.toContain(code);
    expect(logged).not.toMatch(JWT);
  });

  it("refuses on the embedded database, which only the running server may open", async () => {
    const made = await cli(["sign-in-link"], {});
    expect(made.code).toBe(2);
    expect(made.stderr).toContain("prints a new sign-in link each time it starts");
    expect(made.stdout).toBe("");
  });
});
