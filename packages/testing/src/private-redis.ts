import { execFile, spawn, type ChildProcess } from "node:child_process";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port";

const run = promisify(execFile);

/**
 * A `redis-server` owned by one test, on its own port and without persistence, so a
 * fault test can kill it and start it again (empty, as after a crash of a cache-only
 * Redis) without touching the machine's shared one.
 */
export interface PrivateRedis {
  /** `redis://127.0.0.1:<port>` */
  url: string;
  port: number;
  /** SIGKILL: clients see their connections reset, as when the host dies. */
  kill(): Promise<void>;
  /** Starts it again on the same port and waits until it answers PING. */
  start(): Promise<void>;
  /** Runs `redis-cli` against it, e.g. `cli("dbsize")`; returns its output, trimmed. */
  cli(...args: string[]): Promise<string>;
  /** Kills it if running. */
  dispose(): Promise<void>;
}

/** `redis-server` and `redis-cli` from PATH (Debian: /usr/bin, from the redis-server package). */
function redisBinary(name: "redis-server" | "redis-cli"): string {
  const dirs = (process.env.PATH ?? "").split(":").concat("/usr/bin", "/usr/local/bin");
  const found = dirs.map((dir) => join(dir, name)).find((path) => existsSync(path));
  if (!found) throw new Error(`No ${name} on PATH or in /usr/bin (apt-get install redis-server)`);
  return found;
}

export async function startPrivateRedis(): Promise<PrivateRedis> {
  const server = redisBinary("redis-server");
  const cliBinary = redisBinary("redis-cli");
  const port = await freePort();
  let child: ChildProcess | undefined;
  let exited: Promise<void> = Promise.resolve();

  const cli = async (...args: string[]) => (await run(cliBinary, ["-p", String(port), ...args])).stdout.trim();
  const redis: PrivateRedis = {
    url: `redis://127.0.0.1:${port}`,
    port,
    cli,
    start: async () => {
      const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"];
      const started = spawn(server, [...args, "--loglevel", "warning"], { stdio: ["ignore", "ignore", "inherit"] });
      child = started;
      exited = new Promise((resolve) => started.once("exit", () => resolve()));
      const deadline = Date.now() + 10_000;
      for (;;) {
        if (started.exitCode !== null) throw new Error(`redis-server exited (${started.exitCode}) on port ${port}`);
        if ((await cli("ping").catch(() => "")) === "PONG") return;
        if (Date.now() > deadline) throw new Error(`redis-server on port ${port} did not answer PING within 10 s`);
        await new Promise((resolve) => setTimeout(resolve, 25));
      }
    },
    kill: async () => {
      child?.kill("SIGKILL");
      await exited;
      child = undefined;
    },
    dispose: () => redis.kill(),
  };
  await redis.start();
  return redis;
}
