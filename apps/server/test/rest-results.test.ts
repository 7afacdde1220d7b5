import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { Api, ISO_MS, expectError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

let server: TestServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
});
afterAll(async () => server?.stop());

/**
 * The current answer's ETag, once a repeat with it is answered 304. The body carries
 * poll_interval_ms, which the server's governor raises when this loaded machine lags:
 * a change there between two polls is a real change, so the pair is retried.
 */
async function revalidatedEtag(path: string, token: string): Promise<string> {
  return vi.waitFor(
    async () => {
      const first = await api.request("GET", path, { token });
      const etag = first.headers.get("etag");
      expect(etag).toMatch(/^W\/".+"$/);
      const again = await api.request("GET", path, { token, headers: { "if-none-match": etag as string } });
      expect(again.status).toBe(304);
      expect(again.text).toBe("");
      return etag as string;
    },
    { timeout: 15_000, interval: 200 },
  );
}

const resultsPath = (sessionId: number, activityId: string) => `/api/v1/sessions/${sessionId}/activities/${activityId}/results`;

/** A live poll with two participants: the owner's token, theirs, and the path of its results. */
async function livePoll() {
  const owner = api.admin("alice");
  const session = await api.activeSession(owner);
  const created = await api.activity(owner, session.id, {
    type: "poll",
    config: { question: "Lunch?", options: ["pizza", "salad"] },
  });
  const activity = await api.setActivityStatus(owner, created.id, "active");
  const ana = await api.join(session.join_code, "Ana");
  const ben = await api.join(session.join_code, "Ben");
  return { owner, session, activity, ana: ana.token, ben: ben.token, path: resultsPath(session.id, activity.id) };
}

describe("GET /api/v1/sessions/{session_id}/activities/{activity_id}/results", () => {
  it("answers the poll's tally to the owner and to participants", async () => {
    const room = await livePoll();
    await api.submit(room.ana, room.session.id, room.activity.id, { selected_options: ["pizza"] });
    for (const token of [room.owner, room.ben]) {
      const res = await api.request("GET", room.path, { token });
      expect(res.status).toBe(200);
      expect(res.body).toEqual({
        activity_id: room.activity.id,
        type: "poll",
        response_count: 1,
        results: {
          options: [
            { option: "pizza", count: 1, percentage: 100 },
            { option: "salad", count: 0, percentage: 0 },
          ],
          total_voters: 1,
        },
        last_updated: expect.stringMatching(ISO_MS),
        poll_interval_ms: expect.any(Number),
      });
    }
  });

  it("sends an ETag, answers If-None-Match with 304 privately, and a new vote changes it", async () => {
    const room = await livePoll();
    const first = await api.request("GET", room.path, { token: room.ben });
    expect(first.headers.get("cache-control")).toBe("private, no-cache");
    const etag = await revalidatedEtag(room.path, room.ben);
    await api.submit(room.ana, room.session.id, room.activity.id, { selected_options: ["salad"] });
    const changed = await api.request("GET", room.path, { token: room.ben, headers: { "if-none-match": etag } });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
    expect(changed.body).toMatchObject({ response_count: 1 });
  });

  it("403 RESULTS_HIDDEN in the spec's format while hidden, never a cached 200", async () => {
    const room = await livePoll();
    await api.ok("PUT", `/api/v1/sessions/${room.session.id}/activities/${room.activity.id}`, 200, {
      token: room.owner,
      json: { results_visible: false },
    });
    const res = await api.request("GET", room.path, { token: room.ana });
    const error = expectError(res, 403, "RESULTS_HIDDEN");
    expect(error.details).toEqual({ reason: "results_hidden", activity_id: room.activity.id });
    expect(res.headers.get("etag")).toBeNull();
    expect((await api.request("GET", room.path, { token: room.owner })).status).toBe(200);
  });

  it("404 for another session's activity, 403 for a stranger, 401 without a token", async () => {
    const room = await livePoll();
    const other = await livePoll();
    expect((await api.request("GET", resultsPath(room.session.id, other.activity.id), { token: room.owner })).status).toBe(404);
    expect((await api.request("GET", room.path, { token: other.ana })).status).toBe(403);
    expect((await api.request("GET", room.path)).status).toBe(401);
  });
});

describe("GET /api/v1/sessions/{session_id}/leaderboard", () => {
  it("answers the quiz points with an ETag; a participant's view counts completed quizzes only", async () => {
    const owner = api.admin("quizzer");
    const session = await api.activeSession(owner);
    const quiz = await api.activity(owner, session.id, {
      type: "quiz",
      config: { question: "1+1?", options: ["2", "3"], correct_options: ["2"] },
    });
    await api.setActivityStatus(owner, quiz.id, "active");
    const ana = await api.join(session.join_code, "Ana");
    await api.submit(ana.token, session.id, quiz.id, { selected_options: ["2"] });
    const path = `/api/v1/sessions/${session.id}/leaderboard`;

    const mine = await api.request("GET", path, { token: owner });
    expect(mine.status).toBe(200);
    expect(mine.body).toMatchObject({
      session_id: session.id,
      entries: [{ rank: 1, nickname: "Ana", points: 1, answers: 1 }],
      activity_ids: [quiz.id],
    });
    expect((await api.request("GET", path, { token: ana.token })).body).toMatchObject({ entries: [], activity_ids: [] });

    await revalidatedEtag(path, owner);
  });
});

describe("GET /api/v1/activity-types", () => {
  it("lists the registered types without a token, cacheable by anyone", async () => {
    const res = await api.request("GET", "/api/v1/activity-types");
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("public, max-age=300");
    const { items } = res.body as { items: Array<Record<string, unknown>> };
    expect(items.map((t) => t.type)).toEqual(expect.arrayContaining(["poll", "word_cloud", "rating", "qa", "open_text", "quiz"]));
    const poll = items.find((t) => t.type === "poll");
    expect(poll).toMatchObject({ mode: "single", scored: false, private_config_fields: [] });
    expect(poll?.config_schema).toMatchObject({ type: "object", properties: { options: { type: "array" } } });
    expect(poll?.result_schema).toMatchObject({ type: "object", properties: { total_voters: expect.any(Object) } });
  });
});
