import { randomUUID } from "node:crypto";
import { redisDrivers, startTestRedis, type TestRedis } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, startTwoInstances, type TestServer } from "./harness";
import { call, openRoom, paths, type Room } from "./polling-setup";

// The same limits from each store: this instance's memory, and Redis through either driver
// (the join classes are shared through Redis; polls stay per instance on every store).
describe.each(["memory", ...redisDrivers] as const)("limits kept in %s", (store) => {
  let redis: TestRedis | undefined;
  beforeAll(async () => {
    if (store !== "memory") redis = await startTestRedis(store);
  });
  afterAll(async () => redis?.close());
  // Every server gets its own key prefix: the machine's Redis is shared with other suites and runs.
  const storeEnv = () => (redis ? { ...redis.env, REDIS_KEY_PREFIX: `test-${randomUUID()}:` } : {});

  let server: TestServer;
  let room: Room;
  beforeAll(async () => {
    server = await startTestServer({
      ...storeEnv(),
      RATE_LIMIT_POLL: "3/60s",
      RATE_LIMIT_READ: "3/60s",
      RATE_LIMIT_JOIN: "2/60s",
    });
    room = await openRoom(server, 0);
  });
  afterAll(async () => server?.stop());

  describe("rate limits", () => {
    it("limits polls per token subject: 429 RATE_LIMITED with Retry-After, other callers unaffected", async () => {
      const p = paths(room);
      const statuses = [];
      let limited: Awaited<ReturnType<typeof call>> | undefined;
      for (let i = 0; i < 5; i++) {
        const res = await call(server.url, "GET", p.session, room.admin);
        statuses.push(res.status);
        if (res.status === 429) limited = res;
      }
      expect(statuses).toEqual([200, 200, 200, 429, 429]);
      expect(Number(limited?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect(limited?.body).toEqual({
        error: { code: "RATE_LIMITED", message: expect.any(String), details: { retry_after: expect.any(Number) } },
      });
      // Per subject, not per token: a fresh token of the same admin is limited too...
      expect((await call(server.url, "GET", p.session, server.adminToken("alice"))).status).toBe(429);
      // ...while another subject from the same address has its own budget (a classroom shares one IP).
      const bobs = await openRoom(server, 0, "bob");
      expect((await call(server.url, "GET", paths(bobs).session, bobs.admin)).status).toBe(200);
    });

    it("charges each polling route, results and leaderboard included, to RATE_LIMIT_POLL and nothing else", async () => {
      const routes = {
        session: (r: Room) => paths(r).session,
        activity: (r: Room) => paths(r).activity,
        feed: (r: Room) => paths(r).feed("2000-01-01T00:00:00Z"),
        results: (r: Room) => `/api/v1/sessions/${r.sessionId}/activities/${r.activityId}/results`,
        leaderboard: (r: Room) => `/api/v1/sessions/${r.sessionId}/leaderboard`,
      };
      for (const [name, path] of Object.entries(routes)) {
        // An owner of its own per route: its poll budget is this route's alone (building the room spent writes only).
        const own = await openRoom(server, 0, `poller-${name}`);
        const statuses = [];
        for (let i = 0; i < 4; i++) statuses.push((await call(server.url, "GET", path(own), own.admin)).status);
        expect([name, statuses]).toEqual([name, [200, 200, 200, 429]]);
        // The read budget (also 3) is untouched: the polls were not charged to it.
        expect([name, (await call(server.url, "GET", "/api/v1/sessions", own.admin)).status]).toEqual([name, 200]);
      }
    });

    it("limits other reads per subject with RATE_LIMIT_READ, a budget apart from polls", async () => {
      const carols = await openRoom(server, 0, "carol");
      const statuses = [];
      for (let i = 0; i < 4; i++) statuses.push((await call(server.url, "GET", "/api/v1/sessions", carols.admin)).status);
      expect(statuses).toEqual([200, 200, 200, 429]);
      expect((await call(server.url, "GET", paths(carols).session, carols.admin)).status).toBe(200);
    });

    it("limits unauthenticated joins per address, whatever X-Forwarded-For says without TRUST_PROXY", async () => {
      const statuses = [];
      for (let i = 0; i < 3; i++) {
        statuses.push(
          (
            await call(
              server.url,
              "POST",
              "/api/v1/sessions/join",
              undefined,
              { join_code: room.joinCode, nickname: `j${i}` },
              { "x-forwarded-for": `198.51.100.${i}` },
            )
          ).status,
        );
      }
      expect(statuses).toEqual([201, 201, 429]);
    });
  });

  describe("behind a trusted proxy (TRUST_PROXY)", () => {
    let proxied: TestServer;
    let code: string;
    beforeAll(async () => {
      proxied = await startTestServer({ ...storeEnv(), TRUST_PROXY: "1", RATE_LIMIT_JOIN: "2/60s" });
      code = (await openRoom(proxied, 0)).joinCode;
    });
    afterAll(async () => proxied?.stop());

    const joinAs = (nickname: string, forwardedFor: string) =>
      call(
        proxied.url,
        "POST",
        "/api/v1/sessions/join",
        undefined,
        { join_code: code, nickname },
        { "x-forwarded-for": forwardedFor },
      );

    it("keys the join limit by the address the proxy appended: a client rotating its own X-Forwarded-For entry is still limited", async () => {
      const statuses = [];
      for (let i = 0; i < 3; i++) statuses.push((await joinAs(`rot${i}`, `10.66.0.${i}, 203.0.113.7`)).status);
      expect(statuses).toEqual([201, 201, 429]);
      // The next client the proxy reports has its own budget.
      expect((await joinAs("other", "10.66.0.1, 203.0.113.8")).status).toBe(201);
    });

    it("limits an IPv6 client per /64 however it picks its interface id", async () => {
      const statuses = [];
      for (let i = 1; i <= 3; i++) statuses.push((await joinAs(`six${i}`, `2001:db8:5:5::${i}`)).status);
      expect(statuses).toEqual([201, 201, 429]);
    });
  });

  describe("joins per session (RATE_LIMIT_SESSION_JOIN)", () => {
    let flooded: TestServer;
    beforeAll(async () => {
      flooded = await startTestServer({ ...storeEnv(), TRUST_PROXY: "1", RATE_LIMIT_SESSION_JOIN: "3/60s" });
    });
    afterAll(async () => flooded?.stop());

    it("limits joins into one session from any number of addresses; other sessions are unaffected", async () => {
      const [room, other] = [await openRoom(flooded, 0), await openRoom(flooded, 0)];
      const joinFrom = (code: string, i: number) =>
        call(
          flooded.url,
          "POST",
          "/api/v1/sessions/join",
          undefined,
          { join_code: code, nickname: `f${i}` },
          {
            "x-forwarded-for": `198.51.100.${i}`,
          },
        );
      const results = [];
      for (let i = 1; i <= 4; i++) results.push(await joinFrom(room.joinCode, i));
      expect(results.map((r) => r.status)).toEqual([201, 201, 201, 429]);
      expect(results[3]?.body).toEqual({
        error: {
          code: "RATE_LIMITED",
          message: expect.any(String),
          details: { retry_after: expect.any(Number), scope: "session" },
        },
      });
      expect(Number(results[3]?.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await joinFrom(other.joinCode, 9)).status).toBe(201);
    });

    it("counts only joins that took a seat: failed joins from a few addresses do not lock the room for others", async () => {
      const room = await openRoom(flooded, 0);
      const join = (nickname: string, address: string) =>
        call(
          flooded.url,
          "POST",
          "/api/v1/sessions/join",
          undefined,
          { join_code: room.joinCode, nickname },
          {
            "x-forwarded-for": address,
          },
        );
      expect((await join("Taken", "198.51.100.30")).status).toBe(201);
      // Two addresses retrying a taken nickname: each a 409, none spends the room's budget.
      const retries = [];
      for (let i = 0; i < 12; i++) retries.push((await join("taken", `198.51.100.${31 + (i % 2)}`)).status);
      expect(new Set(retries)).toEqual(new Set([409]));
      const newcomers = [];
      for (let i = 1; i <= 3; i++) newcomers.push((await join(`new${i}`, `192.0.2.${i}`)).status);
      // Three joins a minute: "Taken" and two newcomers took the budget, the third waits.
      expect(newcomers).toEqual([201, 201, 429]);
    });
  });
});

describe.each(["memory", ...redisDrivers] as const)("two instances with limits kept in %s", (store) => {
  let redis: TestRedis | undefined;
  let a: TestServer;
  let b: TestServer;
  let stopInstances: (() => Promise<void>) | undefined;
  beforeAll(async () => {
    if (store !== "memory") redis = await startTestRedis(store);
    // One database and, with Redis, one key prefix: the same deployment.
    ({ a, b, stop: stopInstances } = await startTwoInstances(redis, { RATE_LIMIT_JOIN: "2/60s" }));
  }, 60_000);
  afterAll(async () => {
    await stopInstances?.();
    await redis?.close();
  });

  it(
    store === "memory"
      ? "keep a join budget per instance without Redis"
      : "share one join budget per address through Redis: joins alternating between them are limited together",
    async () => {
      const { joinCode } = await openRoom(a, 0);
      const statuses = [];
      for (let i = 0; i < 4; i++) {
        const res = await call(i % 2 === 0 ? a.url : b.url, "POST", "/api/v1/sessions/join", undefined, {
          join_code: joinCode,
          nickname: `two${i}`,
        });
        statuses.push(res.status);
      }
      expect(statuses).toEqual(store === "memory" ? [201, 201, 201, 201] : [201, 201, 429, 429]);
    },
  );
});

describe("invalid tokens (RATE_LIMIT_INVALID_TOKEN)", () => {
  let server: TestServer;
  let room: Room;
  beforeAll(async () => {
    server = await startTestServer({ TRUST_PROXY: "1", RATE_LIMIT_INVALID_TOKEN: "3/60s" });
    room = await openRoom(server, 0);
  });
  afterAll(async () => server?.stop());

  // One venue: every phone behind the same NAT address.
  const venue = { "x-forwarded-for": "203.0.113.50" };
  const poll = (token: string, headers = venue) => call(server.url, "GET", paths(room).session, token, undefined, headers);

  it("refuses garbage from an address once its budget is spent, but never a valid token from that address", async () => {
    const statuses = [];
    for (let i = 0; i < 5; i++) statuses.push((await poll(`garbage.${i}.token`)).status);
    expect(statuses).toEqual([401, 401, 401, 429, 429]);
    // A phone joining behind the same address gets a token this instance has never verified: it is served.
    const joined = await call(
      server.url,
      "POST",
      "/api/v1/sessions/join",
      undefined,
      { join_code: room.joinCode, nickname: "late" },
      venue,
    );
    expect(joined.status).toBe(201);
    const fresh = await poll((joined.body as { token: string }).token);
    expect(fresh.status).toBe(200);
    expect((await poll(server.adminToken("alice"))).status).toBe(200);
    // Garbage from there is still refused, and another address keeps its own budget.
    expect((await poll("garbage.again.token")).status).toBe(429);
    expect((await poll("garbage.other.token", { "x-forwarded-for": "203.0.113.51" })).status).toBe(401);
  });
});

describe("when the database is unreachable", () => {
  it("polls answer 503 SERVICE_UNAVAILABLE with Retry-After, not 500", async () => {
    const broken = await startTestServer({ CACHE_LOCAL_TTL_MS: "0" });
    try {
      const brokenRoom = await openRoom(broken, 0);
      await broken.db.close();
      const res = await call(broken.url, "GET", paths(brokenRoom).session, brokenRoom.admin);
      expect(res.status).toBe(503);
      expect(res.headers.get("retry-after")).toBe("2");
      expect(res.body).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: expect.any(String), details: {} } });
    } finally {
      await broken.stop();
    }
  });
});
