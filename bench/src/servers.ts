import { spawn, type ChildProcess } from "node:child_process";
import { once } from "node:events";
import { mkdirSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { ChildMessage } from "./entries/ipc";

export const benchDir = join(dirname(fileURLToPath(import.meta.url)), "..");

/** A process the bench started and measures: its pid is the node process itself, not a wrapper. */
export interface Measured {
  name: string;
  pid: number;
  url: string;
  extra: Record<string, string>;
  /** The server's own counters (the read-through cache), asked over IPC. */
  stats(): Promise<Record<string, number>>;
  /** Last lines the process wrote, for error reports. */
  logTail(): string[];
  /** SIGTERM, then SIGKILL if it has not exited within 10 s; resolves to the exit code. */
  stop(): Promise<number | null>;
}

export interface StartOptions {
  env?: Record<string, string>;
  /** Extra node flags, e.g. --cpu-prof. */
  nodeArgs?: string[];
  readyTimeoutMs?: number;
  /** Another checkout's bench directory to run the entry from (A/B runs against older code); this one by default. */
  benchRoot?: string;
}

/**
 * Runs `src/entries/<entry>.ts` with `node --import tsx`, not the tsx CLI: the
 * CLI starts node as a grandchild, and /proc/<pid> would then measure the wrapper.
 */
export async function startMeasured(name: string, entry: string, options: StartOptions = {}): Promise<Measured> {
  const root = options.benchRoot ?? benchDir;
  const script = join(root, "src", "entries", `${entry}.ts`);
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), "--import", "tsx", script], {
    cwd: root,
    env: { ...process.env, ...options.env },
    stdio: ["ignore", "pipe", "pipe", "ipc"],
  });
  const tail: string[] = [];
  const keep = (chunk: Buffer) => {
    for (const line of chunk.toString("utf8").split("\n")) {
      if (!line.trim()) continue;
      tail.push(line);
      if (tail.length > 40) tail.shift();
    }
  };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);

  const ready = await waitReady(name, child, tail, options.readyTimeoutMs ?? 60_000);
  let nextId = 1;
  const exited = once(child, "exit").then(([code]) => code as number | null);

  return {
    name,
    pid: child.pid as number,
    url: ready.url,
    extra: ready.extra ?? {},
    logTail: () => [...tail],
    stats: () =>
      new Promise((resolve, reject) => {
        const id = nextId++;
        const timer = setTimeout(() => {
          child.off("message", onMessage);
          reject(new Error(`${name}: no stats answer`));
        }, 5_000);
        const onMessage = (message: ChildMessage) => {
          if (message.type !== "stats" || message.id !== id) return;
          clearTimeout(timer);
          child.off("message", onMessage);
          resolve(message.stats);
        };
        child.on("message", onMessage);
        child.send({ type: "stats", id });
      }),
    stop: async () => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill("SIGTERM");
      const killer = setTimeout(() => child.kill("SIGKILL"), 10_000);
      const code = await exited;
      clearTimeout(killer);
      return code;
    },
  };
}

function waitReady(name: string, child: ChildProcess, tail: string[], timeoutMs: number) {
  return new Promise<{ url: string; extra?: Record<string, string> }>((resolve, reject) => {
    const fail = (why: string) => {
      cleanup();
      child.kill("SIGKILL");
      reject(new Error(`${name} did not start: ${why}\n${tail.join("\n")}`));
    };
    const timer = setTimeout(() => fail(`not ready after ${timeoutMs} ms`), timeoutMs);
    const onMessage = (message: ChildMessage) => {
      if (message.type !== "ready") return;
      cleanup();
      resolve({ url: message.url, extra: message.extra });
    };
    const onExit = (code: number | null) => fail(`exited with ${code}`);
    const cleanup = () => {
      clearTimeout(timer);
      child.off("message", onMessage);
      child.off("exit", onExit);
    };
    child.on("message", onMessage);
    child.on("exit", onExit);
  });
}

/** Node flags that make the server child write a V8 CPU profile when it exits. */
export function cpuProfileArgs(dir: string): string[] {
  mkdirSync(dir, { recursive: true });
  return ["--cpu-prof", `--cpu-prof-dir=${dir}`];
}
