import { startPrivatePostgres, type PrivatePostgres } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { installAnswerLog, OutageLoad, readAnswerLog, type Attempt } from "./outage-load";
import { openRoom, sleep, within, type Room } from "./polling-setup";

/**
 * Issue 10: two instances under submissions and polls, their PostgreSQL stopped
 * for 5 s and started again. Runs on a cluster this file owns, never the shared one.
 */
const CLIENT_TIMEOUT_MS = 5000;
const OUTAGE_MS = 5000;

let pg: PrivatePostgres;
let servers: TestServer[] = [];
let room: Room;
let load: OutageLoad;
/** The outage: from pg_ctl stop returning to pg_ctl start being called; then the time start returned. */
let stoppedAt = 0;
let startingAt = 0;
let restartedAt = 0;
let answers: Awaited<ReturnType<typeof readAnswerLog>>;

const during = (a: Attempt) => a.startedAt >= stoppedAt && a.startedAt < startingAt;
const ok = (a: Attempt) => typeof a.status === "number" && a.status < 300;
const recoveryMs = (instance: number) => {
  const first = load.attempts
    .filter((a) => a.instance === instance && a.startedAt >= restartedAt && ok(a))
    .map((a) => a.startedAt + a.ms)
    .sort((x, y) => x - y)[0];
  return first === undefined ? Number.POSITIVE_INFINITY : first - restartedAt;
};

beforeAll(async () => {
  pg = await startPrivatePostgres();
  servers = [await startTestServer({ DATABASE_URL: pg.url }), await startTestServer({ DATABASE_URL: pg.url })];
  room = await openRoom(servers[0] as TestServer, 1);
  await installAnswerLog(pg.url);

  load = new OutageLoad({ servers, room, clientTimeoutMs: CLIENT_TIMEOUT_MS, pollers: 40 });
  load.start();
  await sleep(1500);
  await pg.stop();
  stoppedAt = Date.now();
  await sleep(OUTAGE_MS);
  startingAt = Date.now();
  await pg.start();
  restartedAt = Date.now();
  // Until both instances have answered again and a few newer answers were acknowledged after that.
  const acknowledgedBefore = load.acknowledged.filter(([, at]) => at < restartedAt).length;
  await within(
    40_000,
    () => {
      const recovered = servers.every((_, i) => Number.isFinite(recoveryMs(i)));
      return recovered && load.acknowledged.length >= acknowledgedBefore + 4;
    },
    100,
  );
  await load.stop();
  await sleep(1000);
  answers = await readAnswerLog(pg.url, room.participants[0]?.id as number);

  const outage = load.attempts.filter(during);
  const statuses = outage.reduce<Record<string, number>>(
    (acc, a) => ((acc[String(a.status)] = (acc[String(a.status)] ?? 0) + 1), acc),
    {},
  );
  const times = outage.map((a) => a.ms).sort((x, y) => x - y);
  console.log(
    JSON.stringify({
      lateOverwrites: answers.lateOverwrites,
      stored: answers.stored,
      lastAcknowledged: load.lastAcknowledged(),
      outageStatuses: statuses,
      outageMs: { p50: times[Math.floor(times.length / 2)], max: times.at(-1) },
      recoveryMs: servers.map((_, i) => recoveryMs(i)),
      status500: load.attempts.filter((a) => a.status === 500).length,
    }),
  );
}, 120_000);

afterAll(async () => {
  await load?.stop();
  for (const server of servers) await server.stop();
  await pg?.dispose();
});

describe("PostgreSQL stops for 5 s under submissions and polls on two instances", () => {
  it("never lets a late write overwrite a newer answer: the stored answer is the last acknowledged one", () => {
    expect(answers.lateOverwrites).toEqual([]);
    expect(answers.stored).toBe(load.lastAcknowledged());
  });

  it("answers every request in the outage with 503 + Retry-After, well before the client gives up", () => {
    const outage = load.attempts.filter(during);
    expect(outage.length).toBeGreaterThan(10);
    // A poll may still be answered from the cache; everything else is a quick 503.
    expect(outage.filter((a) => !ok(a) && (a.status !== 503 || !(Number(a.retryAfter) > 0)))).toEqual([]);
    expect(outage.filter((a) => a.kind === "submit" && ok(a))).toEqual([]);
    expect(Math.max(...outage.map((a) => a.ms))).toBeLessThan(CLIENT_TIMEOUT_MS / 2);
  });

  it("never answers 500", () => {
    expect(load.attempts.filter((a) => a.status === 500)).toEqual([]);
  });

  it("each instance answers again within 3 s of PostgreSQL returning, by itself", () => {
    for (const [i] of servers.entries()) expect(recoveryMs(i)).toBeLessThan(3000);
  });
});
