import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, type Room } from "./polling-setup";

/** The fast path for tRPC GET queries must answer exactly as tRPC's own handler would. */
let server: TestServer;
let room: Room;
beforeAll(async () => {
  server = await startTestServer({ RATE_LIMIT_POLL: "5/60s" });
  room = await openRoom(server, 1);
});
afterAll(async () => server?.stop());

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

describe("GET /trpc/{procedure} (fast path)", () => {
  it("answers a single query with { result: { data } } and an ETag, and 304 on If-None-Match", async () => {
    const path = `/trpc/session.status?input=${q({ session_id: room.sessionId })}`;
    const res = await call(server.url, "GET", path, room.admin);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({ result: { data: expect.objectContaining({ session_id: room.sessionId, participant_count: 1 }) } });
    const etag = res.headers.get("etag") as string;
    expect((await call(server.url, "GET", path, room.admin, undefined, { "if-none-match": etag })).status).toBe(304);
  });

  it("answers a batch with one entry per call and 207 when they differ", async () => {
    const path = `/trpc/activity.status,session.get?batch=1&input=${q({ 0: { session_id: room.sessionId, activity_id: room.activityId }, 1: { session_id: 999999 } })}`;
    const res = await call(server.url, "GET", path, room.participants[0]?.token);
    expect(res.status).toBe(207);
    const [ok, missing] = res.body as unknown as [Record<string, unknown>, { error: Record<string, unknown> }];
    expect(ok).toEqual({ result: { data: expect.objectContaining({ activity_id: room.activityId, response_count: 0 }) } });
    expect(missing.error).toEqual({
      message: "Session not found",
      code: -32004,
      data: { code: "NOT_FOUND", details: { id: 999999 }, httpStatus: 404, path: "session.get" },
    });
  });

  it("maps errors like tRPC: 401 without a token, 400 with the field, 429 with Retry-After", async () => {
    const noToken = await call(server.url, "GET", `/trpc/session.status?input=${q({ session_id: room.sessionId })}`);
    expect(noToken.status).toBe(401);
    expect(noToken.body?.error).toMatchObject({ data: { code: "UNAUTHORIZED" } });
    const bad = await call(server.url, "GET", `/trpc/session.status?input=${q({ session_id: "x" })}`, room.admin);
    expect(bad.status).toBe(400);
    expect(bad.body?.error).toMatchObject({ data: { code: "VALIDATION_ERROR", details: { field: "session_id" } } });
    let limited;
    for (let i = 0; i < 8 && !limited; i++) {
      const res = await call(
        server.url,
        "GET",
        `/trpc/session.status?input=${q({ session_id: room.sessionId })}`,
        room.participants[0]?.token,
      );
      if (res.status === 429) limited = res;
    }
    expect(limited?.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited?.body?.error).toMatchObject({ data: { code: "RATE_LIMITED" } });
  });

  it("leaves mutations and unknown procedures to tRPC's own handler", async () => {
    const unknown = await call(server.url, "GET", `/trpc/nope.nothing?input=${q({})}`, room.admin);
    expect(unknown.status).toBe(404);
    const mutationAsGet = await call(server.url, "GET", `/trpc/session.create?input=${q({ title: "x" })}`, room.admin);
    expect(mutationAsGet.status).toBe(405);
  });
});

describe("GET /trpc/{procedure,procedure}?batch=1 revalidation", () => {
  // Its own server: a batch spends one poll per call, more than the small limit above allows.
  let unlimited: TestServer;
  beforeAll(async () => {
    unlimited = await startTestServer();
  });
  afterAll(async () => unlimited?.stop());

  it("answers a batch as the SDK sends it (httpBatchLink) with an ETag, 304 while unchanged, 200 once a call's answer changes", async () => {
    const own = await openRoom(unlimited, 1);
    const input = { 0: { session_id: own.sessionId }, 1: { session_id: own.sessionId, activity_id: own.activityId } };
    const path = `/trpc/session.status,activity.status?batch=1&input=${q(input)}`;
    const first = await call(unlimited.url, "GET", path, own.admin);
    expect(first.status).toBe(200);
    expect(first.body).toEqual([
      { result: { data: expect.objectContaining({ session_id: own.sessionId, participant_count: 1 }) } },
      { result: { data: expect.objectContaining({ activity_id: own.activityId, response_count: 0 }) } },
    ]);
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^W\/".+"$/);
    const again = await call(unlimited.url, "GET", path, own.admin, undefined, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    // A write that changes only the second call's answer.
    const submit = `/api/v1/sessions/${own.sessionId}/activities/${own.activityId}/responses`;
    expect(
      (await call(unlimited.url, "POST", submit, own.participants[0]?.token, { response_data: { choice: "a" } })).status,
    ).toBe(201);
    const changed = await call(unlimited.url, "GET", path, own.admin, undefined, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.body?.[1]).toEqual({ result: { data: expect.objectContaining({ response_count: 1 }) } });
  });
});
