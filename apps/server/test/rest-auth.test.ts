import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asActivity, asSession, expectError, invalidTokens, type Activity, type Session } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/**
 * Who may call what, for every route: no token or a bad one is 401; the wrong
 * role, another admin, or a participant of another session is 403.
 */
type Access = "admin" | "owner" | "member" | "participant";

interface Route {
  method: string;
  /** The spec path; its parameters are filled in from the world. */
  path: string;
  body?: unknown;
  access: Access;
}

interface World {
  session: Session;
  activity: Activity;
}

const routes: Route[] = [
  { method: "POST", path: "/api/v1/sessions", body: { title: "t" }, access: "admin" },
  { method: "GET", path: "/api/v1/sessions", access: "admin" },
  { method: "GET", path: "/api/v1/sessions/{session_id}", access: "member" },
  { method: "PUT", path: "/api/v1/sessions/{session_id}", body: { title: "hijacked" }, access: "owner" },
  { method: "DELETE", path: "/api/v1/sessions/{session_id}", access: "owner" },
  { method: "PATCH", path: "/api/v1/sessions/{session_id}/status", body: { status: "completed" }, access: "owner" },
  { method: "GET", path: "/api/v1/sessions/{session_id}/participants", access: "member" },
  { method: "POST", path: "/api/v1/sessions/{session_id}/activities", body: { type: "custom", title: "t" }, access: "owner" },
  { method: "GET", path: "/api/v1/sessions/{session_id}/activities", access: "member" },
  { method: "GET", path: "/api/v1/sessions/{session_id}/activities/{activity_id}", access: "member" },
  { method: "PUT", path: "/api/v1/sessions/{session_id}/activities/{activity_id}", body: { title: "hijacked" }, access: "owner" },
  { method: "DELETE", path: "/api/v1/sessions/{session_id}/activities/{activity_id}", access: "owner" },
  { method: "PATCH", path: "/api/v1/activities/{activity_id}/status", body: { status: "completed" }, access: "owner" },
  {
    method: "POST",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses",
    body: { response_data: "x" },
    access: "participant",
  },
  { method: "GET", path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses", access: "member" },
  { method: "GET", path: "/api/sessions/{session_id}/status", access: "member" },
  { method: "GET", path: "/api/sessions/{session_id}/activities/{activity_id}/status", access: "member" },
  {
    method: "GET",
    path: "/api/sessions/{session_id}/activities/{activity_id}/responses/since/{timestamp}",
    access: "member",
  },
];

let server: TestServer;
let api: Api;
let world: World;
let alice: string;
let bob: string;
let participantA: string;
let participantB: string;
let badTokens: Record<string, string>;

beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
  const live = await api.live("alice", "Pat");
  world = { session: live.session, activity: live.activity };
  alice = live.token;
  participantA = live.participantToken;
  bob = api.admin("bob");
  const other = await api.live("alice", "Quinn");
  participantB = other.participantToken;
  badTokens = invalidTokens(server);
});
afterAll(async () => server?.stop());

const fill = (path: string) =>
  path
    .replace("{session_id}", String(world.session.id))
    .replace("{activity_id}", world.activity.id)
    .replace("{timestamp}", "2000-01-01T00:00:00.000Z");
const call = (route: Route, headers: Record<string, string>) =>
  api.request(route.method, fill(route.path), { headers, json: route.body });
const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe.each(routes.map((r) => [`${r.method} ${r.path}`, r] as const))("%s", (_, route) => {
  it("401 UNAUTHORIZED without a token", async () => {
    expectError(await call(route, {}), 401, "UNAUTHORIZED");
  });

  it.each(["garbage", "three garbage parts", "expired beyond tolerance", "wrong secret"])("401 with a %s token", async (kind) => {
    expectError(await call(route, bearer(badTokens[kind] ?? "")), 401, "UNAUTHORIZED");
  });

  it("401 for a non-Bearer Authorization header", async () => {
    expectError(await call(route, { authorization: `Basic ${Buffer.from("alice:pw").toString("base64")}` }), 401, "UNAUTHORIZED");
  });

  if (route.access === "admin" || route.access === "owner") {
    it("403 FORBIDDEN for a participant token, even of this session", async () => {
      expectError(await call(route, bearer(participantA)), 403, "FORBIDDEN");
    });
  }

  if (route.access === "participant") {
    it("403 FORBIDDEN for an admin token, even the owner's", async () => {
      expectError(await call(route, bearer(alice)), 403, "FORBIDDEN");
    });
  }

  if (route.access !== "admin") {
    it("403 FORBIDDEN for another admin", async () => {
      expectError(await call(route, bearer(bob)), 403, "FORBIDDEN");
    });

    it("403 FORBIDDEN for a participant of another session", async () => {
      expectError(await call(route, bearer(participantB)), 403, "FORBIDDEN");
    });
  }
});

describe("after every refused call", () => {
  it("nothing changed: the session and activity are as they were", async () => {
    const session = asSession(await api.ok("GET", `/api/v1/sessions/${world.session.id}`, 200, { token: alice }));
    expect(session).toMatchObject({ title: world.session.title, status: "active", current_activity_id: world.activity.id });
    const activity = asActivity(
      await api.ok("GET", `/api/v1/sessions/${world.session.id}/activities/${world.activity.id}`, 200, { token: alice }),
    );
    expect(activity).toMatchObject({ title: world.activity.title, status: "active" });
    const page = await api.ok("GET", `/api/v1/sessions/${world.session.id}/activities/${world.activity.id}/responses`, 200, {
      token: alice,
    });
    expect(page).toMatchObject({ total: 0 });
    const sessions = await api.ok("GET", "/api/v1/sessions", 200, { token: bob });
    expect(sessions).toMatchObject({ total: 0 });
  });
});

describe("POST /api/v1/sessions/join", () => {
  it("needs no token, and a bad one does not stop it", async () => {
    const body = { join_code: world.session.join_code, nickname: "Walk-in" };
    expect((await api.request("POST", "/api/v1/sessions/join", { json: body })).status).toBe(201);
    const res = await api.request("POST", "/api/v1/sessions/join", {
      json: { ...body, nickname: "Walk-in 2" },
      headers: bearer(badTokens.garbage ?? ""),
    });
    expect(res.status).toBe(201);
  });
});

describe("valid tokens", () => {
  it("the owner, a participant of the session and a fresh admin are let in where they belong", async () => {
    expect((await api.request("GET", `/api/v1/sessions/${world.session.id}/participants`, { token: alice })).status).toBe(200);
    expect((await api.request("GET", `/api/v1/sessions/${world.session.id}`, { token: participantA })).status).toBe(200);
    expect((await api.request("GET", "/api/v1/sessions", { token: bob })).status).toBe(200);
  });

  it("a token a few seconds past exp is still accepted (30 s clock tolerance)", async () => {
    const token = server.deps.tokens.sign({ sub: "alice", role: "admin" }, -5).token;
    expect((await api.request("GET", `/api/v1/sessions/${world.session.id}`, { token })).status).toBe(200);
  });
});
