import { startTestRedis, type TestRedis } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwoInstances, type TestServer } from "./harness";
import { call, openRoom, paths, sleep, type Room } from "./polling-setup";

/**
 * Seats across instances: two servers on one PostgreSQL and one Redis at the shipped cache
 * TTLs. A kick on A reaches reads on B within the cache's staleness bound (the session's
 * seats_revision rides in the cached session status), and writes on B at once (they ask
 * the database). A read that begins the bound after the kick was acknowledged must be refused.
 */
/** CACHE_LOCAL_TTL_MS + CACHE_SHARED_TTL_MS at their defaults. */
const BOUND_MS = 700;

let redis: TestRedis;
let a: TestServer;
let b: TestServer;
let stopInstances: (() => Promise<void>) | undefined;

beforeAll(async () => {
  redis = await startTestRedis("native");
  ({ a, b, stop: stopInstances } = await startTwoInstances(redis));
}, 60_000);

afterAll(async () => {
  await stopInstances?.();
  await redis?.close().catch(() => undefined);
});

const kickOn = (server: TestServer, room: Room, participantId: number) =>
  call(server.url, "DELETE", `/api/v1/sessions/${room.sessionId}/participants/${participantId}`, room.admin);
const errorCode = (res: Awaited<ReturnType<typeof call>>) => (res.body?.error as { code?: string } | undefined)?.code;

/** Both polling routes (the session's, and the activity's, which reaches the session through the activity). */
const reads = (server: TestServer, room: Room, token: string) =>
  Promise.all([call(server.url, "GET", paths(room).session, token), call(server.url, "GET", paths(room).activity, token)]);

describe("a participant removed on one instance", () => {
  it("is refused by the other: writes at once, reads that begin the staleness bound after the kick", async () => {
    const room = await openRoom(a, 3);
    // The room was opened on A: B may answer from a record cached before the activity started (within the bound).
    await sleep(BOUND_MS);
    // Two kicked: a refused write also makes B drop the writer's seat, which would hide how reads learn of a kick.
    const [reader, writer] = room.participants;
    if (!reader || !writer) throw new Error("three participants");
    // B has confirmed both seats and holds the session's status record.
    for (let i = 0; i < 3; i++) {
      for (const p of [reader, writer]) expect((await reads(b, room, p.token)).map((r) => r.status)).toEqual([200, 200]);
    }

    expect((await kickOn(a, room, writer.id)).status).toBe(204);
    const write = await call(b.url, "POST", paths(room).submit, writer.token, { response_data: { choice: "a" } });
    expect([write.status, errorCode(write)]).toEqual([401, "PARTICIPANT_REMOVED"]);

    expect((await kickOn(a, room, reader.id)).status).toBe(204);
    const acknowledged = performance.now();
    await sleep(BOUND_MS - (performance.now() - acknowledged));
    for (let i = 0; i < 5; i++) {
      const refused = await reads(b, room, reader.token);
      expect(refused.map((r) => [r.status, errorCode(r)])).toEqual([
        [401, "PARTICIPANT_REMOVED"],
        [401, "PARTICIPANT_REMOVED"],
      ]);
    }
  });

  it("leaves the other participants of the session seated on both instances", async () => {
    const room = await openRoom(a, 4);
    await sleep(BOUND_MS); // as above: B sees the started activity once the bound has passed
    const [kicked, ...others] = room.participants;
    if (!kicked) throw new Error("four participants");
    for (const p of room.participants) expect((await reads(b, room, p.token)).map((r) => r.status)).toEqual([200, 200]);

    expect((await kickOn(a, room, kicked.id)).status).toBe(204);
    await sleep(BOUND_MS);
    for (const server of [a, b]) {
      for (const p of others) {
        expect((await reads(server, room, p.token)).map((r) => r.status)).toEqual([200, 200]);
      }
    }
    for (const [i, p] of others.entries()) {
      const server = i % 2 === 0 ? b : a;
      const submitted = await call(server.url, "POST", paths(room).submit, p.token, { response_data: { choice: "b" } });
      expect(submitted.status).toBeLessThan(300);
    }
    expect((await reads(b, room, kicked.token)).map((r) => r.status)).toEqual([401, 401]);
  });
});
