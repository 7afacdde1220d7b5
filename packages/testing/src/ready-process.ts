import { spawn } from "node:child_process";

export interface ReadyProcess<T> {
  /** The first line the child printed, parsed as JSON. */
  ready: T;
  /** Closes the child's stdin (its signal to shut down) and waits for it to exit. */
  stop: () => Promise<void>;
}

/**
 * Runs a TypeScript script (through tsx) that prints one JSON line once it is ready
 * and exits when its stdin closes: a server under test in its own process, so the
 * test driver's work does not count as the server's load.
 */
export function startReadyProcess<T>(script: string, cwd: string, args: string[] = []): Promise<ReadyProcess<T>> {
  const child = spawn(process.execPath, ["--import", "tsx", script, ...args], { cwd, stdio: ["pipe", "pipe", "inherit"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let output = "";
    child.once("exit", (code) => reject(new Error(`${script} exited (${code}) before it was ready: ${output}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const [line, rest] = output.split("\n", 2);
      if (rest === undefined || !line) return;
      resolve({
        ready: JSON.parse(line) as T,
        stop: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}
