import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, MISSING_ID, UUID, asPage, asResponse, expectError, expectValidationError, responsesPath } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
});
afterAll(async () => server?.stop());

const submit = (token: string, sessionId: number, activityId: string, json: unknown) =>
  api.request("POST", responsesPath(sessionId, activityId), { token, json });

/** The polling route's count: the number the presenter's screen shows. */
async function responseCount(token: string, sessionId: number, activityId: string): Promise<unknown> {
  const body = await api.ok("GET", `/api/sessions/${sessionId}/activities/${activityId}/status`, 200, { token });
  return typeof body === "object" && body !== null && "response_count" in body ? body.response_count : undefined;
}

/** The rows stored for an activity, read from the database (no cache in between). */
async function storedRows(activityId: string): Promise<number> {
  const [row] = await queryRows<{ n: number }>(
    server.db.db,
    sql`select count(*)::int as n from user_responses where activity_id = ${activityId}`,
  );
  return row?.n ?? Number.NaN;
}

describe("POST /api/v1/sessions/{session_id}/activities/{activity_id}/responses", () => {
  it("201 with the stored response", async () => {
    const live = await api.live();
    const res = await submit(live.participantToken, live.session.id, live.activity.id, { response_data: { choice: "pizza" } });
    expect(res.status).toBe(201);
    const response = asResponse(res.body);
    expect(response).toMatchObject({
      session_id: live.session.id,
      activity_id: live.activity.id,
      participant_id: live.participant.id,
      response_data: { choice: "pizza" },
    });
    expect(response.id).toMatch(UUID);
    expect(response.updated_at).toBe(response.created_at);
  });

  it.each([
    ["a string", "salad"],
    ["a string that reads as JSON", "42"],
    ["a string holding a JSON object", '{"a":1}'],
    ["a number", 7],
    ["an array", ["a", { b: [1, 2] }]],
    ["a boolean", false],
    ["a nested object", { ranking: { first: "a", second: "b" }, comment: "ünïcødé ✓" }],
  ])("accepts %s as response_data and returns it unchanged, then and in the list", async (_, data) => {
    const live = await api.live();
    expect((await api.submit(live.participantToken, live.session.id, live.activity.id, data)).response_data).toStrictEqual(data);
    const list = asPage(
      await api.ok("GET", responsesPath(live.session.id, live.activity.id), 200, { token: live.token }),
      asResponse,
    );
    expect(list.items.map((r) => r.response_data)).toStrictEqual([data]);
  });

  it("a second submission replaces the first: same id, new data, count stays 1", async () => {
    const live = await api.live();
    const first = await api.submit(live.participantToken, live.session.id, live.activity.id, { choice: "a" });
    const res = await submit(live.participantToken, live.session.id, live.activity.id, { response_data: { choice: "b" } });
    expect([200, 201]).toContain(res.status);
    const second = asResponse(res.body);
    expect(second).toMatchObject({ id: first.id, created_at: first.created_at, response_data: { choice: "b" } });
    expect(Date.parse(second.updated_at)).toBeGreaterThanOrEqual(Date.parse(first.updated_at));
    expect(await responseCount(live.token, live.session.id, live.activity.id)).toBe(1);
    const list = asPage(
      await api.ok("GET", responsesPath(live.session.id, live.activity.id), 200, { token: live.token }),
      asResponse,
    );
    expect(list.total).toBe(1);
    expect(list.items[0]?.response_data).toEqual({ choice: "b" });
  });

  it("ten simultaneous submissions by one participant leave one response and a count of 1", async () => {
    const live = await api.live();
    const results = await Promise.all(
      Array.from({ length: 10 }, (_, i) =>
        submit(live.participantToken, live.session.id, live.activity.id, { response_data: { n: i } }),
      ),
    );
    const stored = results.filter((r) => r.status === 200 || r.status === 201);
    // One that reached the database after a later-received one is refused, never silently lost.
    const superseded = results.filter((r) => r.status === 409);
    expect(stored.length + superseded.length).toBe(10);
    for (const r of superseded) expectError(r, 409, "RESPONSE_SUPERSEDED");
    expect(new Set(stored.map((r) => asResponse(r.body).id)).size).toBe(1);
    expect(await responseCount(live.token, live.session.id, live.activity.id)).toBe(1);
    const [kept] = asPage(
      await api.ok("GET", responsesPath(live.session.id, live.activity.id), 200, { token: live.token }),
      asResponse,
    ).items;
    expect(stored.map((r) => asResponse(r.body).response_data)).toContainEqual(kept?.response_data);
  });

  it("counts one response per participant when many answer at once", async () => {
    const live = await api.live();
    const tokens = [live.participantToken];
    for (let i = 0; i < 11; i++) tokens.push((await api.join(live.session.join_code, `voter-${i}`)).token);
    const results = await Promise.all(tokens.map((t) => submit(t, live.session.id, live.activity.id, { response_data: "yes" })));
    expect(results.map((r) => r.status)).toEqual(tokens.map(() => 201));
    expect(await responseCount(live.token, live.session.id, live.activity.id)).toBe(12);
  });

  it("409 ACTIVITY_NOT_ACTIVE for a draft or a completed activity", async () => {
    const live = await api.live();
    const draft = await api.activity(live.token, live.session.id);
    const error = expectError(
      await submit(live.participantToken, live.session.id, draft.id, { response_data: 1 }),
      409,
      "ACTIVITY_NOT_ACTIVE",
    );
    expect(error.details).toMatchObject({ status: "draft" });
    await api.setActivityStatus(live.token, live.activity.id, "completed");
    expectError(
      await submit(live.participantToken, live.session.id, live.activity.id, { response_data: 1 }),
      409,
      "ACTIVITY_NOT_ACTIVE",
    );
    // Read from the rows: a refused answer leaves the cached count alone even when it was stored.
    expect(await storedRows(live.activity.id)).toBe(0);
    expect(await storedRows(draft.id)).toBe(0);
  });

  it("403 for an admin, even the owner: only participants answer", async () => {
    const live = await api.live();
    expectError(await submit(live.token, live.session.id, live.activity.id, { response_data: 1 }), 403, "FORBIDDEN");
  });

  it("404 for an unknown activity or one of another session", async () => {
    const live = await api.live();
    const elsewhere = await api.live("alice", "Other");
    expectError(await submit(live.participantToken, live.session.id, MISSING_ID, { response_data: 1 }), 404, "NOT_FOUND");
    expectError(
      await submit(live.participantToken, live.session.id, elsewhere.activity.id, { response_data: 1 }),
      404,
      "NOT_FOUND",
    );
  });

  it.each([
    ["missing response_data", {}, "response_data"],
    ["null response_data", { response_data: null }, "response_data"],
  ])("400 for %s", async (_, json, field) => {
    const live = await api.live();
    expectValidationError(await submit(live.participantToken, live.session.id, live.activity.id, json), field);
  });

  it("400 for an activity_id that is not a UUID", async () => {
    const live = await api.live();
    expectValidationError(await submit(live.participantToken, live.session.id, "x", { response_data: 1 }), "activity_id");
  });
});

describe("GET /api/v1/sessions/{session_id}/activities/{activity_id}/responses", () => {
  it("the owner sees every response, a participant only its own", async () => {
    const live = await api.live();
    const others = [await api.join(live.session.join_code, "Cat"), await api.join(live.session.join_code, "Dan")];
    const mine = await api.submit(live.participantToken, live.session.id, live.activity.id, "bob's");
    for (const o of others) await api.submit(o.token, live.session.id, live.activity.id, `${o.participant.nickname}'s`);

    const all = asPage(
      await api.ok("GET", responsesPath(live.session.id, live.activity.id), 200, { token: live.token }),
      asResponse,
    );
    expect(all).toMatchObject({ total: 3, limit: 20, offset: 0, has_next: false, has_prev: false });
    expect(all.items.map((r) => r.response_data)).toEqual(["bob's", "Cat's", "Dan's"]);

    const own = asPage(
      await api.ok("GET", responsesPath(live.session.id, live.activity.id), 200, { token: live.participantToken }),
      asResponse,
    );
    expect(own).toMatchObject({ total: 1, has_next: false, has_prev: false });
    expect(own.items).toEqual([mine]);
  });

  it("pages with limit and offset", async () => {
    const live = await api.live();
    await api.submit(live.participantToken, live.session.id, live.activity.id, 0);
    for (let i = 1; i < 5; i++) {
      const { token } = await api.join(live.session.join_code, `p${i}`);
      await api.submit(token, live.session.id, live.activity.id, i);
    }
    const page = asPage(
      await api.ok("GET", `${responsesPath(live.session.id, live.activity.id)}?limit=2&offset=2`, 200, { token: live.token }),
      asResponse,
    );
    expect(page).toMatchObject({ total: 5, limit: 2, offset: 2, has_next: true, has_prev: true });
    expect(page.items.map((r) => r.response_data)).toEqual([2, 3]);
  });

  it("keeps the responses of a completed activity readable", async () => {
    const live = await api.live();
    await api.submit(live.participantToken, live.session.id, live.activity.id, "kept");
    await api.setActivityStatus(live.token, live.activity.id, "completed");
    const page = asPage(
      await api.ok("GET", responsesPath(live.session.id, live.activity.id), 200, { token: live.token }),
      asResponse,
    );
    expect(page.items.map((r) => r.response_data)).toEqual(["kept"]);
  });

  it.each(["limit=0", "limit=101", "limit=abc", "offset=-1"])("400 for ?%s", async (query) => {
    const live = await api.live();
    const res = await api.request("GET", `${responsesPath(live.session.id, live.activity.id)}?${query}`, { token: live.token });
    expectValidationError(res, query.split("=")[0] ?? "");
  });

  it("404 for an unknown activity", async () => {
    const live = await api.live();
    expectError(await api.request("GET", responsesPath(live.session.id, MISSING_ID), { token: live.token }), 404, "NOT_FOUND");
  });
});
