import { spawn, type ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect, createServer, type Socket } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { TokenService } from "@caja/api";
import { createDb, sql } from "@caja/db";
import { createFreshPostgres } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { TEST_SECRET } from "./harness";
import { call, openRoom, paths, sleep, within, type Room } from "./polling-setup";

/**
 * `pnpm start` as an operator runs it, stopped with SIGTERM while a submission
 * is in flight (held by a row lock in PostgreSQL) and a keep-alive socket idles.
 */
const main = fileURLToPath(new URL("../src/main.ts", import.meta.url));
const tsx = fileURLToPath(new URL("../../../node_modules/.bin/tsx", import.meta.url));

let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
let child: ChildProcess;
let url = "";
let port = 0;
let room: Room;
let dataDir = "";
const output: string[] = [];

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const probe = createServer().listen(0, "127.0.0.1", () => {
      const address = probe.address();
      probe.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

/** An HTTP/1.1 keep-alive socket that has had one request answered and now idles. */
async function idleKeepAlive(): Promise<{ socket: Socket; closed: Promise<void> }> {
  const socket = connect(port, "127.0.0.1");
  const closed = new Promise<void>((resolve) => socket.once("close", () => resolve()));
  const answered = new Promise<void>((resolve) => socket.once("data", () => resolve()));
  socket.write(`GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: keep-alive\r\n\r\n`);
  await answered;
  return { socket, closed };
}

const refused = () =>
  new Promise<boolean>((resolve) => {
    const socket = connect(port, "127.0.0.1");
    socket.once("connect", () => (socket.destroy(), resolve(false)));
    socket.once("error", (error: NodeJS.ErrnoException) => resolve(error.code === "ECONNREFUSED"));
  });

beforeAll(async () => {
  fresh = await createFreshPostgres();
  dataDir = mkdtempSync(join(tmpdir(), "caja-shutdown-"));
  port = await freePort();
  child = spawn(tsx, [main], {
    env: {
      PATH: process.env.PATH ?? "",
      DATABASE_URL: fresh.url,
      PORT: String(port),
      HOST: "127.0.0.1",
      JWT_SECRET: TEST_SECRET,
      CAJA_DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (d: Buffer) => output.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => output.push(d.toString()));
  url = `http://127.0.0.1:${port}`;
  await within(30_000, () => output.join("").includes("listening on"), 50);
  const tokens = new TokenService({ secret: TEST_SECRET });
  room = await openRoom({ url, adminToken: (sub = "alice") => tokens.sign({ sub, role: "admin" }, 3600).token }, 1);
}, 60_000);

afterAll(async () => {
  if (child.exitCode === null) child.kill("SIGKILL");
  await fresh?.drop();
  rmSync(dataDir, { recursive: true, force: true });
});

describe("SIGTERM", () => {
  it("answers the in-flight request, closes idle keep-alive sockets, refuses new connections, exits 0 within 10 s", async () => {
    const participant = room.participants[0] as { id: number; token: string };
    const submit = paths(room).submit;
    expect((await call(url, "POST", submit, participant.token, { response_data: { n: 0 } })).status).toBe(201);

    // Hold the participant's answer row so the next submission waits inside PostgreSQL.
    const locker = createDb(fresh.url, { maxConnections: 1 });
    let release = () => {};
    const held = new Promise<void>((resolve) => (release = resolve));
    let locked = () => {};
    const isLocked = new Promise<void>((resolve) => (locked = resolve));
    const lock = locker.db.transaction(async (tx) => {
      await tx.execute(sql`select 1 from user_responses where participant_id = ${participant.id} for update`);
      locked();
      await held;
    });
    await isLocked;

    const idle = await idleKeepAlive();
    const inFlight = call(url, "POST", submit, participant.token, { response_data: { n: 1 } });
    await sleep(300);
    const exited = new Promise<number | null>((resolve) => child.once("exit", (code) => resolve(code)));
    const signalledAt = Date.now();
    child.kill("SIGTERM");

    await idle.closed;
    expect(Date.now() - signalledAt).toBeLessThan(1000);
    expect(await within(2000, refused)).toBeLessThan(2000);

    await sleep(300);
    release();
    await lock;
    await locker.close();
    const answered = await inFlight;
    expect(answered.status).toBe(201);
    expect(answered.body?.response_data).toEqual({ n: 1 });
    expect(answered.headers.get("connection")).toBe("close");

    expect(await exited).toBe(0);
    expect(Date.now() - signalledAt).toBeLessThan(10_000);
  }, 30_000);
});
