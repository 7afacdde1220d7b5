import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TokenService } from "@caja/api";
import { freePort } from "@caja/testing";
import { TEST_SECRET } from "./harness";

/**
 * `pnpm start` as an operator runs it (src/main.ts, in a process of its own),
 * on a port of its own: for tests that signal, kill or outlive a server.
 */
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const serverDir = fileURLToPath(new URL("..", import.meta.url));

export interface ServerProcess {
  url: string;
  port: number;
  child: ChildProcess;
  /** What it printed on stdout and stderr so far. */
  output: string[];
  /** What it printed on stdout alone (its log lines). */
  stdout: string[];
  adminToken(sub?: string): string;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
  /** SIGTERM, then waits for the exit: the code and how long it took. */
  terminate(): Promise<{ code: number | null; ms: number }>;
  /** SIGKILL if still running, and removes its data directory. */
  dispose(): Promise<void>;
}

/** How the server is started: by default from source as `pnpm start` does. */
export interface Launch {
  args: string[];
  cwd: string;
}

// tsx as a loader, not its CLI: the CLI relays signals to a child node and SIGKILLs it when
// the child does not confirm within 30 ms, which a busy server often cannot (issue 10).
const fromSource: Launch = { args: ["--import", "tsx", main], cwd: serverDir };

export async function startServerProcess(
  env: Record<string, string>,
  startTimeoutMs = 45_000,
  launch: Launch = fromSource,
): Promise<ServerProcess> {
  const dataDir = mkdtempSync(join(tmpdir(), "caja-server-"));
  const port = await freePort();
  const child = spawn(process.execPath, launch.args, {
    cwd: launch.cwd,
    env: {
      PATH: process.env.PATH ?? "",
      PORT: String(port),
      HOST: "127.0.0.1",
      JWT_SECRET: TEST_SECRET,
      CAJA_DATA_DIR: dataDir,
      ...env,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  const output: string[] = [];
  const stdout: string[] = [];
  child.stdout?.on("data", (d: Buffer) => {
    output.push(d.toString());
    stdout.push(d.toString());
  });
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));

  const started = Date.now();
  while (!output.join("").includes("listening on")) {
    if (child.exitCode !== null) throw new Error(`server exited (${child.exitCode}) before listening:\n${output.join("")}`);
    if (Date.now() - started > startTimeoutMs) {
      child.kill("SIGKILL");
      throw new Error(`server not listening within ${startTimeoutMs} ms:\n${output.join("")}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  const tokens = new TokenService({ secret: env.JWT_SECRET ?? TEST_SECRET });
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    child,
    output,
    stdout,
    exited,
    adminToken: (sub = "alice") => tokens.sign({ sub, role: "admin" }, 3600).token,
    terminate: async () => {
      const signalledAt = Date.now();
      child.kill("SIGTERM");
      const code = await exited;
      return { code, ms: Date.now() - signalledAt };
    },
    dispose: async () => {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGKILL");
        await exited;
      }
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
