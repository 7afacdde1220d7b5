import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asActivity, asPage, asParticipantSession, asSession, expectError, expectValidationError } from "./fixtures";
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

describe("POST /api/v1/sessions", () => {
  it("creates a draft session: 201 with the full snake_case shape", async () => {
    const res = await api.request("POST", "/api/v1/sessions", { token: alice, json: { title: "  Town hall  " } });
    expect(res.status).toBe(201);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    const session = asSession(res.body);
    expect(session).toMatchObject({
      title: "Town hall",
      description: null,
      status: "draft",
      max_participants: 1000,
      participant_count: 0,
      current_activity_id: null,
      created_by: "alice",
      started_at: null,
      completed_at: null,
    });
    expect(session.id).toBeGreaterThan(0);
    expect(session.join_code).toMatch(/^[A-HJKMNP-Z2-9]{6}$/);
  });

  it("stores description and max_participants", async () => {
    const session = await api.session(alice, { description: "Q3 all hands", max_participants: 5 });
    expect(session).toMatchObject({ description: "Q3 all hands", max_participants: 5 });
  });

  it.each([
    ["missing title", {}, "title"],
    ["empty title", { title: "   " }, "title"],
    ["title over 255 characters", { title: "x".repeat(256) }, "title"],
    ["title not a string", { title: 42 }, "title"],
    ["max_participants 0", { title: "t", max_participants: 0 }, "max_participants"],
    ["max_participants as a string", { title: "t", max_participants: "10" }, "max_participants"],
    ["description not a string", { title: "t", description: 5 }, "description"],
  ])("rejects %s with 400 VALIDATION_ERROR naming the field", async (_, json, field) => {
    expectValidationError(await api.request("POST", "/api/v1/sessions", { token: alice, json }), field);
  });
});

describe("GET /api/v1/sessions", () => {
  let pager: string;
  let created: number[];

  beforeAll(async () => {
    pager = api.admin("pager");
    created = [];
    for (let i = 0; i < 23; i++) created.push((await api.session(pager, { title: `S${i}` })).id);
  });

  it("lists the caller's sessions newest first with limit 20 by default", async () => {
    const page = asPage(await api.ok("GET", "/api/v1/sessions", 200, { token: pager }), asSession);
    expect(page).toMatchObject({ total: 23, limit: 20, offset: 0, has_next: true, has_prev: false });
    expect(page.items.map((s) => s.id)).toEqual([...created].reverse().slice(0, 20));
  });

  it("pages with limit and offset", async () => {
    const middle = asPage(await api.ok("GET", "/api/v1/sessions?limit=5&offset=5", 200, { token: pager }), asSession);
    expect(middle).toMatchObject({ total: 23, limit: 5, offset: 5, has_next: true, has_prev: true });
    expect(middle.items.map((s) => s.id)).toEqual([...created].reverse().slice(5, 10));

    const last = asPage(await api.ok("GET", "/api/v1/sessions?limit=100&offset=20", 200, { token: pager }), asSession);
    expect(last).toMatchObject({ total: 23, limit: 100, offset: 20, has_next: false, has_prev: true });
    expect(last.items).toHaveLength(3);

    const beyond = asPage(await api.ok("GET", "/api/v1/sessions?offset=50", 200, { token: pager }), asSession);
    expect(beyond).toMatchObject({ items: [], total: 23, has_next: false, has_prev: true });
  });

  it("never shows another admin's sessions", async () => {
    const page = asPage(await api.ok("GET", "/api/v1/sessions?limit=100", 200, { token: api.admin("nobody") }), asSession);
    expect(page).toMatchObject({ items: [], total: 0, has_next: false, has_prev: false });
    const alices = asPage(await api.ok("GET", "/api/v1/sessions?limit=100", 200, { token: alice }), asSession);
    expect(alices.items.every((s) => s.created_by === "alice")).toBe(true);
  });

  it("filters by status", async () => {
    const owner = api.admin("filter");
    await api.session(owner);
    const active = await api.activeSession(owner);
    const page = asPage(await api.ok("GET", "/api/v1/sessions?status=active", 200, { token: owner }), asSession);
    expect(page.items.map((s) => s.id)).toEqual([active.id]);
    expect(page.total).toBe(1);
  });

  it.each([
    ["limit=0", "limit"],
    ["limit=101", "limit"],
    ["limit=abc", "limit"],
    ["limit=2.5", "limit"],
    ["offset=-1", "offset"],
    ["offset=abc", "offset"],
    ["status=paused", "status"],
  ])("rejects ?%s with 400 rather than clamping", async (query, field) => {
    expectValidationError(await api.request("GET", `/api/v1/sessions?${query}`, { token: pager }), field);
  });
});

describe("GET /api/v1/sessions/{session_id}", () => {
  it("returns the session to its owner and to its participants", async () => {
    const session = await api.session(alice, { title: "Retro" });
    expect(asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice }))).toEqual(session);
    const { token } = await api.join(session.join_code, "Pat");
    const seen = asParticipantSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token }));
    expect(seen).toMatchObject({ id: session.id, title: "Retro", participant_count: 1 });
  });

  it("leaves out created_by (the owner's identity) for participants: REST, tRPC GET, batched tRPC GET", async () => {
    const owner = api.admin("owner@example.com");
    const session = await api.session(owner, { title: "Who made this?" });
    const { token } = await api.join(session.join_code, "Quinn");
    const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));
    const single = `/trpc/session.get?input=${q({ session_id: session.id })}`;
    const batch = `/trpc/session.get,session.status,session.get?batch=1&input=${q({ 0: { session_id: session.id }, 1: { session_id: session.id }, 2: { session_id: session.id } })}`;
    // Twice each: a second read may be answered from what the first left behind (caches, kept answers).
    for (let round = 0; round < 2; round++) {
      const rest = await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token });
      expect(rest).not.toHaveProperty("created_by");
      asParticipantSession(rest);
      const trpc = (await api.ok("GET", single, 200, { token })) as { result: { data: Record<string, unknown> } };
      expect(trpc.result.data).not.toHaveProperty("created_by");
      asParticipantSession(trpc.result.data);
      const batched = (await api.ok("GET", batch, 200, { token })) as { result: { data: Record<string, unknown> } }[];
      expect(batched).toHaveLength(3);
      for (const entry of batched) expect(entry.result.data).not.toHaveProperty("created_by");
      expect(JSON.stringify(batched)).not.toContain("owner@example.com");
      // The owner, in between, still gets it: a view shared with the owner's must not leak either way.
      const own = await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: owner });
      expect(asSession(own).created_by).toBe("owner@example.com");
      const ownTrpc = (await api.ok("GET", single, 200, { token: owner })) as { result: { data: Record<string, unknown> } };
      expect(ownTrpc.result.data.created_by).toBe("owner@example.com");
    }
  });

  it("404 NOT_FOUND for an unknown session", async () => {
    expectError(await api.request("GET", "/api/v1/sessions/999999", { token: alice }), 404, "NOT_FOUND");
  });

  it.each(["abc", "0", "-3", "1.5", "99999999999"])("400 for session_id %s", async (id) => {
    expectValidationError(await api.request("GET", `/api/v1/sessions/${id}`, { token: alice }), "session_id");
  });
});

describe("PUT /api/v1/sessions/{session_id}", () => {
  it("updates the given fields and leaves the others", async () => {
    const session = await api.session(alice, { title: "Before", description: "old", max_participants: 50 });
    const updated = asSession(
      await api.ok("PUT", `/api/v1/sessions/${session.id}`, 200, {
        token: alice,
        json: { title: "After", max_participants: 75 },
      }),
    );
    expect(updated).toMatchObject({
      id: session.id,
      title: "After",
      description: "old",
      max_participants: 75,
      join_code: session.join_code,
    });
    expect(Date.parse(updated.updated_at)).toBeGreaterThanOrEqual(Date.parse(session.updated_at));

    const cleared = asSession(
      await api.ok("PUT", `/api/v1/sessions/${session.id}`, 200, { token: alice, json: { description: null } }),
    );
    expect(cleared).toMatchObject({ title: "After", description: null });
    expect(asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice }))).toEqual(cleared);
  });

  it("400 naming the field for an invalid value", async () => {
    const session = await api.session(alice);
    expectValidationError(
      await api.request("PUT", `/api/v1/sessions/${session.id}`, { token: alice, json: { title: "" } }),
      "title",
    );
    expectValidationError(
      await api.request("PUT", `/api/v1/sessions/${session.id}`, { token: alice, json: { max_participants: -1 } }),
      "max_participants",
    );
  });

  it("404 for an unknown session", async () => {
    expectError(await api.request("PUT", "/api/v1/sessions/999999", { token: alice, json: { title: "x" } }), 404, "NOT_FOUND");
  });
});

describe("DELETE /api/v1/sessions/{session_id}", () => {
  it("204 with no body, then the session and its join code are gone", async () => {
    const session = await api.session(alice);
    await api.activity(alice, session.id);
    const res = await api.request("DELETE", `/api/v1/sessions/${session.id}`, { token: alice });
    expect(res.status).toBe(204);
    expect(res.text).toBe("");
    expectError(await api.request("GET", `/api/v1/sessions/${session.id}`, { token: alice }), 404, "NOT_FOUND");
    expectError(await api.request("DELETE", `/api/v1/sessions/${session.id}`, { token: alice }), 404, "NOT_FOUND");
    expectError(
      await api.request("POST", "/api/v1/sessions/join", { json: { join_code: session.join_code, nickname: "Late" } }),
      404,
      "NOT_FOUND",
    );
  });
});

describe("PATCH /api/v1/sessions/{session_id}/status", () => {
  it("moves draft -> active -> completed, stamping started_at and completed_at", async () => {
    const session = await api.session(alice);
    const active = await api.setSessionStatus(alice, session.id, "active");
    expect(active).toMatchObject({ status: "active", completed_at: null });
    expect(active.started_at).not.toBeNull();
    const completed = await api.setSessionStatus(alice, session.id, "completed");
    expect(completed).toMatchObject({ status: "completed", started_at: active.started_at });
    expect(completed.completed_at).not.toBeNull();
  });

  it("asking for the current status again is a no-op 200", async () => {
    const session = await api.activeSession(alice);
    const again = await api.setSessionStatus(alice, session.id, "active");
    expect(again).toMatchObject({ status: "active", started_at: session.started_at });
  });

  it.each([
    [[], "completed"],
    [["active", "completed"], "active"],
    [["active", "completed"], "draft"],
    [["active"], "draft"],
  ])("after %j, moving to %s is 409 INVALID_TRANSITION", async (path, to) => {
    const session = await api.session(alice);
    for (const step of path) await api.setSessionStatus(alice, session.id, step);
    const from = path.at(-1) ?? "draft";
    const error = expectError(
      await api.request("PATCH", `/api/v1/sessions/${session.id}/status`, { token: alice, json: { status: to } }),
      409,
      "INVALID_TRANSITION",
    );
    expect(error.details).toMatchObject({ from, to });
    expect(asSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: alice })).status).toBe(from);
  });

  it("completing the session completes its active activity", async () => {
    const session = await api.activeSession(alice);
    const activity = await api.setActivityStatus(alice, (await api.activity(alice, session.id)).id, "active");
    await api.setSessionStatus(alice, session.id, "completed");
    const after = asActivity(
      await api.ok("GET", `/api/v1/sessions/${session.id}/activities/${activity.id}`, 200, { token: alice }),
    );
    expect(after.status).toBe("completed");
    expect(after.completed_at).not.toBeNull();
  });

  it.each([
    ["missing", {}],
    ["unknown", { status: "paused" }],
  ])("400 for a %s status", async (_, json) => {
    const session = await api.session(alice);
    expectValidationError(await api.request("PATCH", `/api/v1/sessions/${session.id}/status`, { token: alice, json }), "status");
  });

  it("404 for an unknown session", async () => {
    expectError(
      await api.request("PATCH", "/api/v1/sessions/999999/status", { token: alice, json: { status: "active" } }),
      404,
      "NOT_FOUND",
    );
  });
});
