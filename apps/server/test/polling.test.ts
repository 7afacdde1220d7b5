import { inArray, participants, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, paths, sleep, within, type Room } from "./polling-setup";

let server: TestServer;
let room: Room;
let p: ReturnType<typeof paths>;
beforeAll(async () => {
  server = await startTestServer({ CACHE_LOCAL_TTL_MS: "100" });
  room = await openRoom(server, 3);
  p = paths(room);
});
afterAll(async () => server?.stop());

const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const get = (path: string, token?: string, headers?: Record<string, string>) =>
  call(server.url, "GET", path, token, undefined, headers);

/**
 * What `requests` answered, and the poll governor's interval all the while: every answer must carry
 * exactly it. The governor moves at most once a second (on a loaded machine it does): a pair of reads
 * that saw it move is made again.
 */
async function governed<T>(requests: () => Promise<T>, on: TestServer = server): Promise<{ answers: T; interval: number }> {
  const interval = on.deps.pollIntervalMs;
  if (!interval) throw new Error("the server answers polls without its poll governor (deps.pollIntervalMs is unset)");
  for (let attempt = 0; attempt < 10; attempt++) {
    const before = interval();
    const answers = await requests();
    if (interval() === before) return { answers, interval: before };
  }
  throw new Error("the poll governor moved during each of 10 attempts");
}

describe("GET /api/sessions/{session_id}/status", () => {
  it("answers the spec's shape to the owner and to a participant", async () => {
    for (const token of [room.admin, room.participants[0]?.token]) {
      const { answers: res, interval } = await governed(() => get(p.session, token));
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        session_id: room.sessionId,
        status: "active",
        current_activity_id: room.activityId,
        participant_count: 3,
        active_participant_count: expect.any(Number),
        last_updated: expect.stringMatching(ISO_MS),
        poll_interval_ms: interval,
      });
    }
  });

  it("counts exactly the participants whose own polls arrived in the last 30 s", async () => {
    // Joining sets last_seen_at too: move everyone an hour back first, so that only the poll can count.
    await server.deps.presence.flush();
    const ids = room.participants.map((x) => x.id);
    await server.db.db
      .update(participants)
      .set({ lastSeenAt: sql`now() - interval '1 hour'` })
      .where(inArray(participants.id, ids));
    await expect.poll(async () => (await get(p.session, room.admin)).body?.active_participant_count, { timeout: 5000 }).toBe(0);
    await get(p.session, room.participants[1]?.token);
    await server.deps.presence.flush();
    await expect.poll(async () => (await get(p.session, room.admin)).body?.active_participant_count, { timeout: 5000 }).toBe(1);
  });

  it("moves last_updated when someone joins", async () => {
    const before = (await get(p.session, room.admin)).body?.last_updated as string;
    await sleep(5);
    await call(server.url, "POST", "/api/v1/sessions/join", undefined, { join_code: room.joinCode, nickname: "late" });
    const after = (await get(p.session, room.admin)).body;
    expect(after?.participant_count).toBe(4);
    expect(Date.parse(after?.last_updated as string)).toBeGreaterThan(Date.parse(before));
  });

  it("refuses strangers: no token 401, another admin 403, another session's participant 403, unknown 404, bad id 400", async () => {
    expect((await get(p.session)).body?.error).toMatchObject({ code: "UNAUTHORIZED" });
    expect((await get(p.session, server.adminToken("mallory"))).status).toBe(403);
    const other = await openRoom(server, 1, "bob");
    const res = await get(p.session, other.participants[0]?.token);
    expect(res.status).toBe(403);
    expect(res.body).toEqual({ error: { code: "FORBIDDEN", message: expect.any(String), details: expect.any(Object) } });
    expect((await get("/api/sessions/999999/status", room.admin)).status).toBe(404);
    const bad = await get("/api/sessions/abc/status", room.admin);
    expect(bad.status).toBe(400);
    expect(bad.body?.error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "session_id" } });
  });

  it("sends an ETag and answers If-None-Match with 304, privately", async () => {
    const first = await get(p.session, room.admin);
    const etag = first.headers.get("etag");
    expect(etag).toMatch(/^W\/".+"$/);
    expect(first.headers.get("cache-control")).toContain("private");
    expect(first.headers.get("cache-control")).not.toContain("public");
    const again = await get(p.session, room.admin, { "if-none-match": etag as string });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    await call(server.url, "POST", "/api/v1/sessions/join", undefined, { join_code: room.joinCode, nickname: "etag-breaker" });
    const changed = await get(p.session, room.admin, { "if-none-match": etag as string });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });
});

describe("GET /api/sessions/{session_id}/activities/{activity_id}/status", () => {
  it("counts responses exactly and moves last_response_at and last_updated", async () => {
    const { answers, interval } = await governed(() => get(p.activity, room.admin));
    const before = answers.body;
    expect(before).toEqual({
      activity_id: room.activityId,
      session_id: room.sessionId,
      status: "active",
      response_count: 0,
      last_response_at: null,
      last_updated: expect.stringMatching(ISO_MS),
      ends_at: null,
      poll_interval_ms: interval,
    });
    await sleep(5);
    await call(server.url, "POST", p.submit, room.participants[0]?.token, { response_data: { choice: "a" } });
    await call(server.url, "POST", p.submit, room.participants[1]?.token, { response_data: { choice: "b" } });
    await call(server.url, "POST", p.submit, room.participants[0]?.token, { response_data: { choice: "b" } });
    const after = (await get(p.activity, room.participants[2]?.token)).body;
    expect(after?.response_count).toBe(2);
    expect(after?.last_response_at).toMatch(ISO_MS);
    expect(Date.parse(after?.last_updated as string)).toBeGreaterThan(Date.parse(before?.last_updated as string));
  });

  it("404s an activity of another session and 400s a malformed id", async () => {
    const other = await openRoom(server, 0);
    expect((await get(`/api/sessions/${room.sessionId}/activities/${other.activityId}/status`, room.admin)).status).toBe(404);
    const bad = await get(`/api/sessions/${room.sessionId}/activities/not-a-uuid/status`, room.admin);
    expect(bad.body?.error).toMatchObject({ code: "VALIDATION_ERROR", details: { field: "activity_id" } });
  });

  it("reflects a transition in status and last_updated", async () => {
    const other = await openRoom(server, 0);
    const path = `/api/sessions/${other.sessionId}/activities/${other.activityId}/status`;
    const before = (await get(path, other.admin)).body;
    await sleep(5);
    await call(server.url, "PATCH", `/api/v1/activities/${other.activityId}/status`, other.admin, { status: "completed" });
    const after = (await get(path, other.admin)).body;
    expect(after?.status).toBe("completed");
    expect(Date.parse(after?.last_updated as string)).toBeGreaterThan(Date.parse(before?.last_updated as string));
  });
});

describe("GET /api/sessions/{session_id}/activities/{activity_id}/responses/since/{timestamp}", () => {
  it("returns created or updated responses after the timestamp, oldest first, with a cursor", async () => {
    // A row reaches the feed once every transaction of its database that started before it has
    // ended, and at least 50 ms after its own start: poll as a client would.
    await within(20_000, async () => (await get(p.feed("2000-01-01T00:00:00Z"), room.admin)).body?.count === 2);
    const { answers: res, interval } = await governed(() => get(p.feed("2000-01-01T00:00:00Z"), room.admin));
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      items: expect.any(Array),
      since: "2000-01-01T00:00:00.000Z",
      count: 2,
      next_cursor: expect.any(String),
      has_more: false,
      poll_interval_ms: interval,
    });
    const items = res.body?.items as Array<Record<string, unknown>>;
    expect(Object.keys(items[0] ?? {}).sort()).toEqual([
      "activity_id",
      "created_at",
      "id",
      "participant_id",
      "response_data",
      "session_id",
      "status",
      "updated_at",
      "vote_count",
    ]);
    // The edited response comes last: it was written last.
    expect(items.map((i) => i.participant_id)).toEqual([room.participants[1]?.id, room.participants[0]?.id]);
    expect(items[1]?.response_data).toEqual({ choice: "b" });

    // Strictly after the timestamp, by updated_at: exact sets at the boundaries, not "at least one".
    const [older, newest] = items as Array<{ id: string; updated_at: string }>;
    const idsSince = async (ts: string) =>
      ((await get(p.feed(ts), room.admin)).body?.items as Array<{ id: string }>).map((i) => i.id);
    expect(await idsSince(newest?.updated_at as string)).toEqual([]);
    const justBefore = new Date(Date.parse(older?.updated_at as string) - 1).toISOString();
    expect(await idsSince(justBefore)).toEqual([older?.id, newest?.id]);
    const afterOlder = items.filter((i) => Date.parse(i.updated_at as string) > Date.parse(older?.updated_at as string));
    expect(await idsSince(older?.updated_at as string)).toEqual(afterOlder.map((i) => i.id));

    const cont = await get(p.feed("2000-01-01T00:00:00Z", `?cursor=${res.body?.next_cursor as string}`), room.admin);
    expect(cont.body).toMatchObject({ items: [], count: 0, has_more: false });
  });

  it("pages with limit and has_more, and the cursor walks every item once", async () => {
    const ids: string[] = [];
    let cursor = "";
    for (let i = 0; i < 5; i++) {
      const page = (await get(p.feed("2000-01-01T00:00:00Z", `?limit=1${cursor ? `&cursor=${cursor}` : ""}`), room.admin)).body;
      ids.push(...(page?.items as Array<{ id: string }>).map((x) => x.id));
      cursor = page?.next_cursor as string;
      if (!page?.has_more) break;
    }
    expect(ids).toHaveLength(2);
    expect(new Set(ids).size).toBe(2);
  });

  it("shows a participant only its own responses", async () => {
    const res = await get(p.feed("2000-01-01T00:00:00Z"), room.participants[1]?.token);
    expect((res.body?.items as Array<{ participant_id: number }>).map((i) => i.participant_id)).toEqual([
      room.participants[1]?.id,
    ]);
  });

  it("returns nothing for a timestamp in the future", async () => {
    const res = await get(p.feed("2999-01-01T00:00:00.000Z"), room.admin);
    expect(res.body).toMatchObject({ items: [], count: 0 });
  });

  it("rejects a bad timestamp, cursor or limit with 400 VALIDATION_ERROR", async () => {
    for (const [path, field] of [
      [p.feed("yesterday"), "timestamp"],
      [p.feed("2025-13-45T99:00:00Z"), "timestamp"],
      [p.feed("2000-01-01T00:00:00Z", "?cursor=garbage"), "cursor"],
      [p.feed("2000-01-01T00:00:00Z", "?limit=1001"), "limit"],
      [p.feed("2000-01-01T00:00:00Z", "?limit=0"), "limit"],
    ] as const) {
      const res = await get(path, room.admin);
      expect(res.status, path).toBe(400);
      expect(res.body?.error, path).toMatchObject({ code: "VALIDATION_ERROR", details: { field } });
    }
  });

  it("answers an unchanged feed with 304", async () => {
    const first = await get(p.feed("2999-01-01T00:00:00Z"), room.admin);
    const again = await get(p.feed("2999-01-01T00:00:00Z"), room.admin, { "if-none-match": first.headers.get("etag") as string });
    expect(again.status).toBe(304);
  });

  it("answers an unchanged page with items 304, and 200 with a new ETag once a response changes", async () => {
    const path = p.feed("2000-01-01T00:00:00Z");
    const first = await get(path, room.admin);
    expect(first.status).toBe(200);
    expect(first.body?.count).toBe(2);
    const etag = first.headers.get("etag") as string;
    const again = await get(path, room.admin, { "if-none-match": etag });
    expect(again.status).toBe(304);
    expect(again.body).toBeNull();
    await call(server.url, "POST", p.submit, room.participants[1]?.token, { response_data: { choice: "c" } });
    // The edited row enters the feed once the cluster's older transactions end (meanwhile the page may
    // lack it: also a change, also a 200): revalidate until the new answer is there.
    const hasNewAnswer = (res: Awaited<ReturnType<typeof get>>) =>
      res.status === 200 && JSON.stringify(res.body?.items).includes('{"choice":"c"}');
    await expect
      .poll(async () => hasNewAnswer(await get(path, room.admin, { "if-none-match": etag })), { timeout: 20_000 })
      .toBe(true);
    const changed = await get(path, room.admin, { "if-none-match": etag });
    expect(hasNewAnswer(changed)).toBe(true);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });
});

describe("the seed backend's polling paths under /api/v1", () => {
  const legacy = (path: string) => path.replace(/^\/api\//, "/api/v1/");

  it("answer each poll exactly as its /api path does, to the owner and to a participant", async () => {
    const since = p.feed("2000-01-01T00:00:00Z");
    for (const token of [room.admin, room.participants[0]?.token]) {
      for (const path of [p.session, p.activity, since]) {
        const { answers, interval } = await governed(async () => [await get(path, token), await get(legacy(path), token)]);
        const [current, alias] = answers;
        expect([legacy(path), alias?.status]).toEqual([legacy(path), 200]);
        expect(alias?.body).toEqual(current?.body);
        expect(alias?.body?.poll_interval_ms).toBe(interval);
      }
    }
  });

  it("revalidate with ETag and 304 like the /api paths", async () => {
    const first = await get(legacy(p.activity), room.admin);
    const etag = first.headers.get("etag") as string;
    expect(etag).toMatch(/^W\/".+"$/);
    expect((await get(legacy(p.activity), room.admin, { "if-none-match": etag })).status).toBe(304);
  });

  it("check the caller like the /api paths: 401 without a token, 403 for a stranger", async () => {
    expect((await get(legacy(p.session))).status).toBe(401);
    expect((await get(legacy(p.session), server.adminToken("mallory"))).status).toBe(403);
  });

  it("leave PATCH /api/v1/sessions/{session_id}/status to the session lifecycle, and answer other methods 405", async () => {
    const patched = await call(server.url, "PATCH", legacy(p.session), room.admin, { status: "active" });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ id: room.sessionId, status: "active", join_code: room.joinCode });
    const put = await call(server.url, "PUT", legacy(p.session), room.admin, {});
    expect(put.status).toBe(405);
    expect(put.headers.get("allow")?.split(", ").sort()).toEqual(["GET", "PATCH"]);
  });
});

describe("the polling routes over tRPC", () => {
  it("serve the same shapes as REST", async () => {
    const input = encodeURIComponent(JSON.stringify({ session_id: room.sessionId }));
    const { answers, interval } = await governed(async () => [
      await get(`/trpc/session.status?input=${input}`, room.admin),
      await get(p.session, room.admin),
    ]);
    const [trpc, rest] = answers;
    expect((trpc?.body?.result as { data: unknown }).data).toEqual(rest?.body);
    expect(rest?.body?.poll_interval_ms).toBe(interval);
    const feedInput = encodeURIComponent(
      JSON.stringify({ session_id: room.sessionId, activity_id: room.activityId, timestamp: "bad" }),
    );
    const bad = await get(`/trpc/response.feed?input=${feedInput}`, room.admin);
    expect(bad.status).toBe(400);
    expect(bad.body?.error).toMatchObject({ data: { code: "VALIDATION_ERROR", details: { field: "timestamp" } } });
  });
});

describe("session status after the current activity is deleted", () => {
  it("shows current_activity_id null and a later last_updated", async () => {
    const other = await openRoom(server, 0);
    const path = paths(other).session;
    const before = (await get(path, other.admin)).body;
    expect(before?.current_activity_id).toBe(other.activityId);
    await sleep(5);
    expect(
      (await call(server.url, "DELETE", `/api/v1/sessions/${other.sessionId}/activities/${other.activityId}`, other.admin))
        .status,
    ).toBe(204);
    const after = (await get(path, other.admin)).body;
    expect(after?.current_activity_id).toBeNull();
    expect(Date.parse(after?.last_updated as string)).toBeGreaterThan(Date.parse(before?.last_updated as string));
  });
});

describe("draft activities stay invisible to participants", () => {
  it("404s a draft's status, feed and responses for a participant, and serves them to the owner", async () => {
    const draft = (
      await call(server.url, "POST", `/api/v1/sessions/${room.sessionId}/activities`, room.admin, {
        type: "quiz",
        title: "Later",
        config: { question: "6 x 7?", options: ["42", "24"], correct_options: ["42"] },
      })
    ).body as { id: string };
    const base = `/api/sessions/${room.sessionId}/activities/${draft.id}`;
    for (const path of [
      `${base}/status`,
      `${base}/responses/since/2000-01-01T00:00:00Z`,
      `/api/v1/sessions/${room.sessionId}/activities/${draft.id}/responses`,
    ]) {
      expect((await get(path, room.participants[0]?.token)).status, path).toBe(404);
      expect((await get(path, room.admin)).status, path).toBe(200);
    }
  });
});

describe("poll_interval_ms under load", () => {
  let loaded: TestServer;
  let own: Room;
  beforeAll(async () => {
    // A server of its own: the interval it raises stays raised for ten calm seconds.
    loaded = await startTestServer();
    own = await openRoom(loaded, 0);
  });
  afterAll(async () => loaded?.stop());

  it("grows while the server's event loop lags: every poll then carries the longer interval", async () => {
    const poll = async () => (await call(loaded.url, "GET", paths(own).session, own.admin)).body?.poll_interval_ms;
    // The server runs in this process: blocking the loop 120 ms at a time is the lag its governor samples
    // (once a second, raising the interval after two lagging samples in a row). A machine already this
    // loaded may have raised it before the first block.
    let interval = await poll();
    for (let i = 0; i < 100 && interval === 2000; i++) {
      const until = Date.now() + 120;
      while (Date.now() < until);
      interval = await poll();
    }
    // Doubled (p99 lag over 50 ms) or quadrupled (over 200 ms), from POLL_INTERVAL_MS's 2000.
    expect([4000, 8000]).toContain(interval);
    const { answers, interval: governor } = await governed(poll, loaded);
    expect(answers).toBe(governor);
  });
});
