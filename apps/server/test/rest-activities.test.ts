import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, MISSING_ID, UUID, asActivity, asPage, asSession, expectError, expectValidationError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

let server: TestServer;
let api: Api;
let alice: string;

beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
  alice = api.admin("alice");
});
afterAll(async () => server?.stop());

const path = (sessionId: number, activityId?: string) =>
  `/api/v1/sessions/${sessionId}/activities${activityId === undefined ? "" : `/${activityId}`}`;
const getActivity = async (sessionId: number, activityId: string, token = alice) =>
  asActivity(await api.ok("GET", path(sessionId, activityId), 200, { token }));
const patchStatus = (activityId: string, status: string) =>
  api.request("PATCH", `/api/v1/activities/${activityId}/status`, { token: alice, json: { status } });

describe("POST /api/v1/sessions/{session_id}/activities", () => {
  it("201 without a title (the spec's Activity has none): title is null", async () => {
    const session = await api.session(alice);
    const res = await api.request("POST", `/api/v1/sessions/${session.id}/activities`, {
      token: alice,
      json: { type: "poll", config: { question: "Lunch?", options: ["a", "b"] } },
    });
    expect(res.status).toBe(201);
    expect(asActivity(res.body)).toMatchObject({ type: "poll", title: null, status: "draft" });
  });

  it("201: a draft activity of any type with any JSON config, ordered after the others", async () => {
    const session = await api.session(alice);
    const config = { question: "Best?", options: [{ id: 1, label: "a" }], nested: { deep: [true, null, 1.5] } };
    const res = await api.request("POST", path(session.id), {
      token: alice,
      json: { type: "word-cloud", title: "Words", config },
    });
    expect(res.status).toBe(201);
    const first = asActivity(res.body);
    expect(first).toMatchObject({
      session_id: session.id,
      type: "word-cloud",
      title: "Words",
      config,
      order_index: 0,
      status: "draft",
    });
    expect(first.id).toMatch(UUID);
    expect(first).toMatchObject({ started_at: null, completed_at: null });
    const second = await api.activity(alice, session.id, { config: undefined });
    expect(second).toMatchObject({ order_index: 1, config: {} });
    expect((await api.activity(alice, session.id, { order_index: 7 })).order_index).toBe(7);
  });

  it.each([
    ["missing type", { title: "t" }, "type"],
    ["type over 50 characters", { type: "t".repeat(51), title: "t" }, "type"],
    ["an empty title", { type: "poll", title: " " }, "title"],
    ["config that is a string", { type: "poll", title: "t", config: "yes" }, "config"],
    ["config that is an array", { type: "poll", title: "t", config: [1, 2] }, "config"],
    ["negative order_index", { type: "poll", title: "t", order_index: -1 }, "order_index"],
  ])("400 for %s", async (_, json, field) => {
    const session = await api.session(alice);
    expectValidationError(await api.request("POST", path(session.id), { token: alice, json }), field);
  });

  it("409 SESSION_CLOSED on a completed session", async () => {
    const session = await api.activeSession(alice);
    await api.setSessionStatus(alice, session.id, "completed");
    expectError(
      await api.request("POST", path(session.id), { token: alice, json: { type: "poll", title: "t" } }),
      409,
      "SESSION_CLOSED",
    );
  });

  it("404 for an unknown session", async () => {
    expectError(await api.request("POST", path(999999), { token: alice, json: { type: "poll", title: "t" } }), 404, "NOT_FOUND");
  });
});

describe("GET /api/v1/sessions/{session_id}/activities", () => {
  it("the owner sees every activity by order_index; participants see no drafts", async () => {
    const session = await api.activeSession(alice);
    const later = await api.activity(alice, session.id, { title: "later", order_index: 5 });
    const live = await api.activity(alice, session.id, { title: "live", order_index: 1 });
    await api.setActivityStatus(alice, live.id, "active");
    const draft = await api.activity(alice, session.id, { title: "secret draft", order_index: 3, config: { answer: 42 } });

    const all = asPage(await api.ok("GET", path(session.id), 200, { token: alice }), asActivity);
    expect(all).toMatchObject({ total: 3, limit: 20, offset: 0, has_next: false, has_prev: false });
    expect(all.items.map((a) => a.id)).toEqual([live.id, draft.id, later.id]);

    const { token } = await api.join(session.join_code, "Pat");
    const visible = asPage(await api.ok("GET", path(session.id), 200, { token }), asActivity);
    expect(visible.items.map((a) => a.id)).toEqual([live.id]);
    expect(visible.total).toBe(1);
  });

  it("filters by status and pages", async () => {
    const session = await api.session(alice);
    for (let i = 0; i < 3; i++) await api.activity(alice, session.id);
    const page = asPage(
      await api.ok("GET", `${path(session.id)}?status=draft&limit=2&offset=1`, 200, { token: alice }),
      asActivity,
    );
    expect(page).toMatchObject({ total: 3, limit: 2, offset: 1, has_next: false, has_prev: true });
    expect(page.items.map((a) => a.order_index)).toEqual([1, 2]);
    const none = asPage(await api.ok("GET", `${path(session.id)}?status=active`, 200, { token: alice }), asActivity);
    expect(none).toMatchObject({ items: [], total: 0 });
  });

  it.each(["limit=0", "limit=101", "limit=abc", "offset=-1", "status=open"])("400 for ?%s", async (query) => {
    const session = await api.session(alice);
    expectValidationError(await api.request("GET", `${path(session.id)}?${query}`, { token: alice }), query.split("=")[0] ?? "");
  });
});

describe("GET /api/v1/sessions/{session_id}/activities/{activity_id}", () => {
  it("the owner gets a draft; a participant gets 404 for it until it is active", async () => {
    const session = await api.activeSession(alice);
    const activity = await api.activity(alice, session.id, { config: { answer: "b" } });
    expect(await getActivity(session.id, activity.id)).toEqual(activity);
    const { token } = await api.join(session.join_code, "Pat");
    expectError(await api.request("GET", path(session.id, activity.id), { token }), 404, "NOT_FOUND");
    await api.setActivityStatus(alice, activity.id, "active");
    expect((await getActivity(session.id, activity.id, token)).status).toBe("active");
  });

  it("404 for an unknown activity, or one of another session", async () => {
    const session = await api.session(alice);
    const other = await api.session(alice);
    const activity = await api.activity(alice, other.id);
    expectError(await api.request("GET", path(session.id, MISSING_ID), { token: alice }), 404, "NOT_FOUND");
    expectError(await api.request("GET", path(session.id, activity.id), { token: alice }), 404, "NOT_FOUND");
  });

  it("400 for an activity_id that is not a UUID", async () => {
    const session = await api.session(alice);
    expectValidationError(await api.request("GET", path(session.id, "not-a-uuid"), { token: alice }), "activity_id");
  });
});

describe("PUT /api/v1/sessions/{session_id}/activities/{activity_id}", () => {
  it("updates type, title, config (replaced whole) and order", async () => {
    const session = await api.session(alice);
    const activity = await api.activity(alice, session.id, { config: { a: 1, b: 2 } });
    const res = await api.request("PUT", path(session.id, activity.id), {
      token: alice,
      json: { type: "trivia", title: "Renamed", config: { c: 3 }, order_index: 9 },
    });
    expect(res.status).toBe(200);
    const updated = asActivity(res.body);
    expect(updated).toMatchObject({
      id: activity.id,
      type: "trivia",
      title: "Renamed",
      config: { c: 3 },
      order_index: 9,
      status: "draft",
    });
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(activity.updated_at));
    expect(await getActivity(session.id, activity.id)).toEqual(updated);
  });

  it("400 for an invalid config, 404 for an unknown activity", async () => {
    const session = await api.session(alice);
    const activity = await api.activity(alice, session.id);
    expectValidationError(
      await api.request("PUT", path(session.id, activity.id), { token: alice, json: { config: 5 } }),
      "config",
    );
    expectError(await api.request("PUT", path(session.id, MISSING_ID), { token: alice, json: { title: "x" } }), 404, "NOT_FOUND");
  });
});

describe("DELETE /api/v1/sessions/{session_id}/activities/{activity_id}", () => {
  it("204, then 404; the session's current_activity_id is cleared", async () => {
    const session = await api.activeSession(alice);
    const activity = await api.setActivityStatus(alice, (await api.activity(alice, session.id)).id, "active");
    const res = await api.request("DELETE", path(session.id, activity.id), { token: alice });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectError(await api.request("GET", path(session.id, activity.id), { token: alice }), 404, "NOT_FOUND");
    expectError(await api.request("DELETE", path(session.id, activity.id), { token: alice }), 404, "NOT_FOUND");
    const after = asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice }));
    expect(after.current_activity_id).toBeNull();
  });
});

describe("PATCH /api/v1/activities/{activity_id}/status", () => {
  it("draft -> active -> completed in an active session, stamping times and the session's current activity", async () => {
    const session = await api.activeSession(alice);
    const activity = await api.activity(alice, session.id);
    const res = await patchStatus(activity.id, "active");
    expect(res.status).toBe(200);
    const active = asActivity(res.body);
    expect(active).toMatchObject({ id: activity.id, status: "active", completed_at: null });
    expect(active.started_at).not.toBeNull();
    const s = asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice }));
    expect(s.current_activity_id).toBe(activity.id);

    const completed = asActivity((await patchStatus(activity.id, "completed")).body);
    expect(completed).toMatchObject({ status: "completed", started_at: active.started_at });
    expect(completed.completed_at).not.toBeNull();
  });

  it("activating a second activity completes the first and becomes current", async () => {
    const session = await api.activeSession(alice);
    const first = await api.setActivityStatus(alice, (await api.activity(alice, session.id)).id, "active");
    const second = await api.setActivityStatus(alice, (await api.activity(alice, session.id)).id, "active");
    expect(second.status).toBe("active");
    const before = await getActivity(session.id, first.id);
    expect(before.status).toBe("completed");
    expect(before.completed_at).not.toBeNull();
    const s = asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice }));
    expect(s.current_activity_id).toBe(second.id);
  });

  it("of five simultaneous activations exactly one activity ends up active, and it is current", async () => {
    const session = await api.activeSession(alice);
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await api.activity(alice, session.id)).id);
    const results = await Promise.all(ids.map((id) => patchStatus(id, "active")));
    expect(results.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const page = asPage(await api.ok("GET", path(session.id), 200, { token: alice }), asActivity);
    const active = page.items.filter((a) => a.status === "active");
    expect(active).toHaveLength(1);
    const s = asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice }));
    expect(s.current_activity_id).toBe(active[0]?.id);
  });

  it.each(["draft", "completed"])("409 when activating in a %s session", async (sessionStatus) => {
    const session = await api.session(alice);
    const activity = await api.activity(alice, session.id);
    if (sessionStatus === "completed") {
      await api.setSessionStatus(alice, session.id, "active");
      await api.setSessionStatus(alice, session.id, "completed");
    }
    expectError(await patchStatus(activity.id, "active"), 409, "INVALID_TRANSITION");
    expect((await getActivity(session.id, activity.id)).status).toBe("draft");
  });

  it.each([
    [[], "completed"],
    [["active"], "draft"],
    [["active", "completed"], "active"],
    [["active", "completed"], "draft"],
  ])("after %j, moving to %s is 409 INVALID_TRANSITION", async (steps, to) => {
    const session = await api.activeSession(alice);
    const activity = await api.activity(alice, session.id);
    for (const step of steps) await api.setActivityStatus(alice, activity.id, step);
    const error = expectError(await patchStatus(activity.id, to), 409, "INVALID_TRANSITION");
    expect(error.details).toMatchObject({ from: steps.at(-1) ?? "draft", to });
  });

  it("the status it already has is a no-op 200", async () => {
    const session = await api.activeSession(alice);
    const active = await api.setActivityStatus(alice, (await api.activity(alice, session.id)).id, "active");
    expect(asActivity((await patchStatus(active.id, "active")).body)).toMatchObject({
      status: "active",
      started_at: active.started_at,
    });
  });

  it("400 for a bad status or activity_id, 404 for an unknown activity", async () => {
    const session = await api.activeSession(alice);
    const activity = await api.activity(alice, session.id);
    expectValidationError(await patchStatus(activity.id, "running"), "status");
    expectValidationError(
      await api.request("PATCH", `/api/v1/activities/${activity.id}/status`, { token: alice, json: {} }),
      "status",
    );
    expectValidationError(await patchStatus("nope", "active"), "activity_id");
    expectError(await patchStatus(MISSING_ID, "active"), 404, "NOT_FOUND");
  });
});
