import { execFile } from "node:child_process";
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { freePort } from "./free-port";

const run = promisify(execFile);

/**
 * A PostgreSQL cluster owned by one test: its own data directory and port, so a
 * fault test can stop and restart it without touching the machine's shared server.
 */
export interface PrivatePostgres {
  /** `postgres://postgres@127.0.0.1:<port>/postgres` (trust authentication). */
  url: string;
  port: number;
  /** `pg_ctl stop -m fast`: running backends are terminated, as an operator's restart does. */
  stop(): Promise<void>;
  /** Starts it again on the same port and waits until it accepts connections. */
  start(): Promise<void>;
  /** Stops it (if running) and deletes its data directory. */
  dispose(): Promise<void>;
}

/** The newest installed PostgreSQL's bin directory (Debian: /usr/lib/postgresql/<major>/bin). */
function postgresBinDir(): string {
  const root = "/usr/lib/postgresql";
  const majors = existsSync(root) ? readdirSync(root).filter((d) => /^\d+$/.test(d)) : [];
  const newest = majors.sort((a, b) => Number(b) - Number(a))[0];
  if (!newest) throw new Error(`No PostgreSQL server binaries under ${root} (apt-get install postgresql)`);
  return join(root, newest, "bin");
}

/** initdb refuses to run as root: the cluster then belongs to the `postgres` system user. */
const asClusterOwner = (command: string, args: string[]) =>
  process.getuid?.() === 0 ? run("runuser", ["-u", "postgres", "--", command, ...args]) : run(command, args);

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = postgresBinDir();
  const dir = mkdtempSync(join(tmpdir(), "caja-pg-"));
  if (process.getuid?.() === 0) {
    const owner = await run("id", ["-u", "postgres"]).then((r) => Number(r.stdout.trim()));
    const group = await run("id", ["-g", "postgres"]).then((r) => Number(r.stdout.trim()));
    chownSync(dir, owner, group);
  }
  const dataDir = join(dir, "data");
  const port = await freePort();
  await asClusterOwner(join(bin, "initdb"), ["-D", dataDir, "-U", "postgres", "--auth=trust", "--no-sync", "-E", "UTF8"]);
  // Sockets in the cluster's own directory; fsync off: durability is not under test.
  const serverOptions = `-p ${port} -c listen_addresses=127.0.0.1 -c unix_socket_directories=${dir} -c fsync=off`;
  const pgCtl = (...args: string[]) => asClusterOwner(join(bin, "pg_ctl"), ["-D", dataDir, ...args]);
  let running = false;
  const cluster: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    port,
    start: async () => {
      await pgCtl("start", "-w", "-t", "30", "-l", join(dir, "server.log"), "-o", serverOptions);
      running = true;
    },
    stop: async () => {
      await pgCtl("stop", "-w", "-m", "fast");
      running = false;
    },
    dispose: async () => {
      if (running) await cluster.stop().catch(() => undefined);
      rmSync(dir, { recursive: true, force: true });
    },
  };
  await cluster.start();
  return cluster;
}
