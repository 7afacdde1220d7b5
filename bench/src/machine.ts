import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { connect } from "node:net";
import { cpus, totalmem } from "node:os";
import type { Sql } from "postgres";

export interface MachineInfo {
  cores: number;
  cpuModel: string;
  memoryGb: number;
  node: string;
  postgres: string;
  redis: string;
  /** redis-server's pid (from INFO), to read its CPU. */
  redisPid: number | null;
  /** /proc/loadavg when the bench started: other work on the machine skews every figure. */
  loadAverageAtStart: string;
  /** The commit measured, `+dirty` when packages/ or apps/ had uncommitted changes. */
  commit: string;
}

function gitCommit(): string {
  try {
    const cwd = new URL("../..", import.meta.url);
    const head = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd, encoding: "utf8" }).trim();
    const dirty = execFileSync("git", ["status", "--porcelain", "--", "packages", "apps"], { cwd, encoding: "utf8" }).trim();
    return dirty ? `${head}+dirty` : head;
  } catch {
    return "unknown";
  }
}

/** `redis_version` and `process_id` from INFO, over a plain socket: the bench needs no Redis client for two lines. */
function redisInfo(url: URL): Promise<{ version: string; pid: number | null }> {
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port || 6379) });
    let text = "";
    const done = (version: string, pid: number | null) => {
      socket.destroy();
      resolve({ version, pid });
    };
    socket.setTimeout(2000, () => done("unknown", null));
    socket.on("error", () => done("unknown", null));
    socket.on("connect", () => socket.write("INFO server\r\n"));
    socket.on("data", (chunk) => {
      text += chunk.toString("utf8");
      const version = /redis_version:(\S+)/.exec(text);
      const pid = /process_id:(\d+)/.exec(text);
      if (version && pid) done(version[1] as string, Number(pid[1]));
    });
  });
}

export async function machineInfo(admin: Sql, redisUrl: URL): Promise<MachineInfo> {
  const redis = await redisInfo(redisUrl);
  const [pg] = await admin<{ server_version: string }[]>`show server_version`;
  return {
    cores: cpus().length,
    cpuModel: cpus()[0]?.model ?? "unknown",
    memoryGb: Math.round(totalmem() / 2 ** 30),
    node: process.version,
    postgres: pg?.server_version ?? "unknown",
    redis: redis.version,
    redisPid: redis.pid,
    commit: gitCommit(),
    loadAverageAtStart: readFileSync("/proc/loadavg", "utf8").split(" ").slice(0, 3).join(" "),
  };
}
