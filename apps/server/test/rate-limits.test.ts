import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, paths, type Room } from "./polling-setup";

let server: TestServer;
let room: Room;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POLL: "3/60s", RATE_LIMIT_JOIN: "2/60s" });
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
    // Same address, another subject: its own budget (a classroom shares one IP).
    expect((await call(server.url, "GET", p.session, server.adminToken("alice"))).status).toBe(429);
  });

  it("limits unauthenticated joins per address", async () => {
    const statuses = [];
    for (let i = 0; i < 3; i++) {
      statuses.push(
        (await call(server.url, "POST", "/api/v1/sessions/join", undefined, { join_code: room.joinCode, nickname: `j${i}` }))
          .status,
      );
    }
    expect(statuses).toEqual([201, 201, 429]);
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
      expect(res.headers.get("retry-after")).toBe("5");
      expect(res.body).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: expect.any(String), details: {} } });
    } finally {
      await broken.stop();
    }
  });
});
