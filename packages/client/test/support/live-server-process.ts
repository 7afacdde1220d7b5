import { spawn } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { AdminSubject, LiveServer } from "./live-server";

// Paths from strings: under happy-dom the global URL is the DOM's, which fileURLToPath rejects.
const here = dirname(fileURLToPath(import.meta.url));
const packageDir = join(here, "../..");
const script = join(here, "server-process.ts");

/** `startLiveServer`, in a child process (see server-process.ts for why). */
export function startServerProcess(env: Record<string, string> = {}): Promise<LiveServer> {
  const child = spawn(process.execPath, ["--import", "tsx", script, JSON.stringify(env)], {
    cwd: packageDir,
    stdio: ["pipe", "pipe", "inherit"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    let output = "";
    child.once("exit", (code) => reject(new Error(`server process exited (${code}) before it was ready: ${output}`)));
    child.stdout.on("data", (chunk: Buffer) => {
      output += chunk.toString("utf8");
      const line = output.split("\n", 2);
      if (line.length < 2 || !line[0]) return;
      const ready = JSON.parse(line[0]) as { url: string; adminTokens: Record<AdminSubject, string> };
      resolve({
        url: ready.url,
        adminToken: (sub = "presenter") => ready.adminTokens[sub],
        stop: async () => {
          child.stdin.end();
          await exited;
        },
      });
    });
  });
}
