import { startPrivateRedis, type PrivateRedis } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, paths, within, type Room } from "./polling-setup";

/**
 * Issue 10: write limits shared through Redis fall back to each instance's own
 * buckets while Redis is down (each instance enforces the limit, nothing answers
 * 5xx), and are shared again once Redis is back. Two instances on a redis-server
 * this file starts and kills, never the machine's shared one.
 */
const LIMIT = 5;

let redis: PrivateRedis;
let a: Awaited<ReturnType<typeof startTestServer>>;
let b: TestServer;
let room: Room;

beforeAll(async () => {
  redis = await startPrivateRedis();
  a = await startTestServer({ REDIS_URL: redis.url, RATE_LIMIT_WRITE: `${LIMIT}/60s` });
  // The second instance shares the first one's database, as instances of one deployment do.
  b = await startTestServer({ REDIS_URL: redis.url, RATE_LIMIT_WRITE: `${LIMIT}/60s`, DATABASE_URL: a.databaseUrl ?? "" });
  // The owner's own writes (4) stay under the limit; each participant below is a fresh subject.
  room = await openRoom(a, 3);
}, 60_000);

afterAll(async () => {
  await b?.stop();
  await a?.stop();
  await redis?.dispose();
});

/** Submissions of one participant, to the given instances in turn; their statuses. */
async function submitOn(servers: TestServer[], participant: number, count: number): Promise<number[]> {
  const token = room.participants[participant]?.token;
  const statuses: number[] = [];
  for (let i = 0; i < count; i++) {
    const server = servers[i % servers.length] as TestServer;
    statuses.push((await call(server.url, "POST", paths(room).submit, token, { response_data: { i } })).status);
  }
  return statuses;
}

const admitted = (statuses: number[]) => statuses.filter((s) => s < 300).length;

describe("write limits when Redis goes away and comes back", () => {
  it("with Redis up, the limit spans both instances", async () => {
    const statuses = await submitOn([a, b], 0, LIMIT + 2);
    expect(admitted(statuses)).toBe(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
  });

  it("with Redis down, each instance enforces the limit on its own, and nothing answers 5xx", async () => {
    await redis.kill();
    const onA = await submitOn([a], 1, LIMIT + 1);
    const onB = await submitOn([b], 1, LIMIT + 1);
    expect([onA, onB].map(admitted)).toEqual([LIMIT, LIMIT]);
    expect([onA.at(-1), onB.at(-1)]).toEqual([429, 429]);
    expect([...onA, ...onB].filter((s) => s >= 500)).toEqual([]);
  });

  it("once Redis is back, the limit spans both instances again", async () => {
    await redis.start();
    // Both instances have reconnected: their two connections, and the one listing them.
    const clients = async () => (await redis.cli("client", "list")).split("\n").filter(Boolean).length;
    expect(await within(10_000, async () => (await clients()) >= 3, 50)).toBeLessThan(10_000);
    const statuses = await submitOn([a, b], 2, LIMIT + 2);
    expect(admitted(statuses)).toBe(LIMIT);
    expect(statuses.slice(LIMIT)).toEqual([429, 429]);
  });
});
