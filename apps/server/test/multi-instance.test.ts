import { redisDrivers, startTestRedis, type TestRedis } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTwoInstances, type TestServer } from "./harness";
import { call, openRoom, paths, within, type Room } from "./polling-setup";

/**
 * Two instances on one PostgreSQL and one Redis (through each driver: Upstash
 * REST via the test bridge, native RESP via a TCP relay), with production cache TTLs: a write on one is seen polling the other;
 * shared write limits span both; Redis dying does not fail polls. These wait on conditions (a loaded machine must not fail
 * them); how soon another instance sees a write is measured, not asserted here.
 */
const SEEN_WITHIN_MS = 10_000;
describe.each(redisDrivers)("with the %s Redis driver", (driver) => {
  let redis: TestRedis;
  let a: TestServer;
  let b: TestServer;
  let room: Room;
  let stopInstances: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    redis = await startTestRedis(driver);
    const two = await startTwoInstances(redis, {
      CACHE_LOCAL_TTL_MS: "200",
      CACHE_SHARED_TTL_MS: "500",
      RATE_LIMIT_WRITE: "4/60s",
    });
    ({ a, b, stop: stopInstances } = two);
    room = await openRoom(a, 5);
  }, 60_000);

  afterAll(async () => {
    await stopInstances?.();
    await redis?.close().catch(() => undefined);
  });

  describe("two instances sharing PostgreSQL and Redis", () => {
    it("a response submitted on A is counted by B's activity status", async () => {
      const p = paths(room);
      const count = async () => (await call(b.url, "GET", p.activity, room.admin)).body?.response_count;
      expect(await count()).toBe(0);
      for (let i = 0; i < 3; i++) {
        const before = await count();
        await call(a.url, "POST", p.submit, room.participants[i]?.token, { response_data: { n: i } });
        await expect.poll(count, { timeout: SEEN_WITHIN_MS, interval: 25 }).toBe((before as number) + 1);
      }
    });

    it("a join on B is seen in A's session status, and the feed on A has B's write", async () => {
      const p = paths(room);
      const before = (await call(a.url, "GET", p.session, room.admin)).body?.participant_count as number;
      await call(b.url, "POST", "/api/v1/sessions/join", undefined, { join_code: room.joinCode, nickname: "via-b" });
      await expect
        .poll(async () => (await call(a.url, "GET", p.session, room.admin)).body?.participant_count, {
          timeout: SEEN_WITHIN_MS,
          interval: 25,
        })
        .toBe(before + 1);

      await call(b.url, "POST", p.submit, room.participants[3]?.token, { response_data: { from: "b" } });
      const seen = await within(SEEN_WITHIN_MS, async () => {
        const feed = (await call(a.url, "GET", p.feed("2000-01-01T00:00:00Z"), room.admin)).body?.items as Array<{
          response_data: unknown;
        }>;
        return feed.some((i) => JSON.stringify(i.response_data) === '{"from":"b"}');
      });
      expect(seen).toBeLessThan(Number.POSITIVE_INFINITY);
    });

    it("shares write limits across instances through Redis: 429 RATE_LIMITED with Retry-After", async () => {
      const p = paths(room);
      const token = room.participants[4]?.token;
      const statuses: number[] = [];
      let limited: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 6; i++) {
        const res = await call(i % 2 === 0 ? a.url : b.url, "POST", p.submit, token, { response_data: { i } });
        statuses.push(res.status);
        if (res.status === 429) limited ??= res;
      }
      expect(statuses.slice(0, 4).every((s) => s === 200 || s === 201)).toBe(true);
      expect(statuses.slice(4)).toEqual([429, 429]);
      expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThan(0);
      expect(limited?.body).toEqual({
        error: { code: "RATE_LIMITED", message: expect.any(String), details: expect.any(Object) },
      });
    });

    it("keeps answering polls from the database when Redis goes away", async () => {
      const p = paths(room);
      await redis.close();
      const res = await call(b.url, "GET", p.activity, room.admin);
      expect(res.status).toBe(200);
      await call(a.url, "POST", p.submit, room.participants[0]?.token, { response_data: { after: "redis" } });
      const elapsed = await within(SEEN_WITHIN_MS, async () => {
        const feed = (await call(b.url, "GET", p.feed("2000-01-01T00:00:00Z"), room.admin)).body?.items as Array<{
          response_data: unknown;
        }>;
        return feed.some((i) => JSON.stringify(i.response_data) === '{"after":"redis"}');
      });
      expect(elapsed).toBeLessThan(Number.POSITIVE_INFINITY);
      // Each poll answered, none waiting on Redis (the 150 ms timeout and the breaker: slow-redis.test.ts).
      for (let i = 0; i < 20; i++) expect((await call(a.url, "GET", p.session, room.admin)).status).toBe(200);
    });
  });
});
