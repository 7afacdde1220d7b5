import { connect, type Socket } from "node:net";
import { createDb, sql } from "@caja/db";
import { createFreshPostgres } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { call, openRoom, paths, sleep, within, type Room } from "./polling-setup";
import { startServerProcess, type ServerProcess } from "./server-process";

/**
 * `pnpm start` as an operator runs it, stopped with SIGTERM while a submission
 * is in flight (held by a row lock in PostgreSQL) and a keep-alive socket idles.
 */
let fresh: Awaited<ReturnType<typeof createFreshPostgres>>;
let server: ServerProcess;
let url = "";
let port = 0;
let room: Room;

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
  server = await startServerProcess({ DATABASE_URL: fresh.url });
  ({ url, port } = server);
  room = await openRoom(server, 1);
}, 60_000);

afterAll(async () => {
  await server?.dispose();
  await fresh?.drop();
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
    const signalledAt = Date.now();
    const terminated = server.terminate();

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

    const { code, ms } = await terminated;
    expect(code).toBe(0);
    expect(ms).toBeLessThan(10_000);
  }, 30_000);
});
