import { testDbKind } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asListedParticipant, asPage, asResponse, asSession, expectError } from "./fixtures";
import { startTestServer } from "./harness";

let server: Awaited<ReturnType<typeof startTestServer>>;
let api: Api;
let alice: string;

beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
  alice = api.admin("alice");
});
afterAll(async () => server?.stop());

const sessionOf = async (id: number) => asSession(await api.ok("GET", `/api/v1/sessions/${id}`, 200, { token: alice }));
const kick = (sessionId: number, participantId: number | string, token = alice) =>
  api.request("DELETE", `/api/v1/sessions/${sessionId}/participants/${participantId}`, { token });
const leave = (sessionId: number, token: string) =>
  api.request("DELETE", `/api/v1/sessions/${sessionId}/participants/me`, { token });
const statusAs = (sessionId: number, token: string) => api.request("GET", `/api/sessions/${sessionId}/status`, { token });
const submitAs = (sessionId: number, activityId: string, token: string, data: unknown) =>
  api.request("POST", `/api/v1/sessions/${sessionId}/activities/${activityId}/responses`, {
    token,
    json: { response_data: data },
  });

describe("DELETE /api/v1/sessions/{session_id}/participants/{participant_id}", () => {
  it("204; the token stops working (401 PARTICIPANT_REMOVED) for reads and writes; the nickname is free; answers stay (and hold their seat)", async () => {
    const live = await api.live("alice", "Troll");
    const { session, activity } = live;
    await api.submit(live.participantToken, session.id, activity.id, { choice: "pizza" });
    const other = await api.join(session.join_code, "Kind");
    expect((await sessionOf(session.id)).participant_count).toBe(2);
    expect((await statusAs(session.id, live.participantToken)).status).toBe(200);

    const res = await kick(session.id, live.participant.id);
    expect(res.status).toBe(204);

    const afterKick = await sessionOf(session.id);
    expect(afterKick.participant_count).toBe(1);
    const removed = expectError(await statusAs(session.id, live.participantToken), 401, "PARTICIPANT_REMOVED");
    expect(removed.details).toEqual({ participant_id: live.participant.id });
    expectError(await submitAs(session.id, activity.id, live.participantToken, { choice: "salad" }), 401, "PARTICIPANT_REMOVED");
    // The others are untouched.
    expect((await statusAs(session.id, other.token)).status).toBe(200);
    // The list no longer shows it; its answer stays with the activity.
    const list = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/participants`, 200, { token: alice }),
      asListedParticipant,
    );
    expect(list.items.map((p) => p.nickname)).toEqual(["Kind"]);
    const answers = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/activities/${activity.id}/responses`, 200, { token: alice }),
      asResponse,
    );
    expect(answers.items).toHaveLength(1);
    // The nickname is free again, and the status poll shows the count.
    const rejoined = await api.join(session.join_code, "Troll");
    expect(rejoined.participant.id).not.toBe(live.participant.id);
    const status = await api.ok("GET", `/api/sessions/${session.id}/status`, 200, { token: alice });
    expect(status).toMatchObject({ participant_count: 2 });
  });

  it("frees the seat of a full session", async () => {
    const session = await api.activeSession(alice, { max_participants: 1 });
    const first = await api.join(session.join_code, "First");
    expectError(
      await api.request("POST", "/api/v1/sessions/join", { json: { join_code: session.join_code, nickname: "Second" } }),
      409,
      "SESSION_FULL",
    );
    expect((await kick(session.id, first.participant.id)).status).toBe(204);
    expect((await api.join(session.join_code, "Second")).participant.nickname).toBe("Second");
  });

  it("404 for a participant already removed, of another session, or unknown; the count moves once", async () => {
    const session = await api.activeSession(alice);
    const elsewhere = await api.activeSession(alice);
    const p = await api.join(session.join_code, "Once");
    const q = await api.join(elsewhere.join_code, "Other");
    const kicks = await Promise.all([kick(session.id, p.participant.id), kick(session.id, p.participant.id)]);
    expect(kicks.map((r) => r.status).sort()).toEqual([204, 404]);
    expect((await sessionOf(session.id)).participant_count).toBe(0);
    expectError(await kick(session.id, q.participant.id), 404, "NOT_FOUND");
    expectError(await kick(session.id, 2_000_000), 404, "NOT_FOUND");
    expect((await sessionOf(elsewhere.id)).participant_count).toBe(1);
  });

  it("403 for another admin and for participants, 400 for a bad id", async () => {
    const session = await api.activeSession(alice);
    const p = await api.join(session.join_code, "Stays");
    const q = await api.join(session.join_code, "Peer");
    expectError(await kick(session.id, p.participant.id, api.admin("mallory")), 403, "FORBIDDEN");
    expectError(await kick(session.id, p.participant.id, q.token), 403, "FORBIDDEN");
    expect((await kick(session.id, "abc")).status).toBe(400);
    expect((await sessionOf(session.id)).participant_count).toBe(2);
  });
});

describe("DELETE /api/v1/sessions/{session_id}/participants/me", () => {
  it("204; the participant's own token stops working; participant_count follows", async () => {
    const session = await api.activeSession(alice);
    const p = await api.join(session.join_code, "Leaver");
    expect((await leave(session.id, p.token)).status).toBe(204);
    expect((await sessionOf(session.id)).participant_count).toBe(0);
    expectError(await statusAs(session.id, p.token), 401, "PARTICIPANT_REMOVED");
    expectError(await leave(session.id, p.token), 401, "PARTICIPANT_REMOVED");
  });

  it("403 for an admin, and for a participant naming another session", async () => {
    const session = await api.activeSession(alice);
    const elsewhere = await api.activeSession(alice);
    const p = await api.join(session.join_code, "Stays");
    expectError(await leave(session.id, alice), 403, "FORBIDDEN");
    expectError(await leave(elsewhere.id, p.token), 403, "FORBIDDEN");
    expect((await sessionOf(session.id)).participant_count).toBe(1);
  });
});

describe("participant tokens are bound to their row", () => {
  it("a token from a reset database (same secret, same ids) is refused with 401 PARTICIPANT_REMOVED, not taken for the new participant", async () => {
    // Two servers with one JWT secret on two fresh databases: the second is the first after a reset.
    const before = await startTestServer();
    try {
      const beforeApi = new Api(before);
      const old = await beforeApi.join((await beforeApi.activeSession(beforeApi.admin("alice"))).join_code, "Old");
      // The fresh database's session and participant may carry the very same ids.
      const reset = await startTestServer();
      try {
        const resetApi = new Api(reset);
        const session = await resetApi.activeSession(resetApi.admin("alice"));
        const fresh = await resetApi.join(session.join_code, "New");
        expect([session.id, fresh.participant.id]).toEqual([old.session.id, old.participant.id]);
        const res = await resetApi.request("GET", `/api/sessions/${session.id}/status`, { token: old.token });
        expectError(res, 401, "PARTICIPANT_REMOVED");
        expect((await resetApi.request("GET", `/api/sessions/${session.id}/status`, { token: fresh.token })).status).toBe(200);
      } finally {
        await reset.stop();
      }
    } finally {
      await before.stop();
    }
  });

  it.skipIf(testDbKind() !== "postgres")(
    "a removal on one instance refuses the participant's writes on another at once",
    async () => {
      const second = await startTestServer({ DATABASE_URL: server.databaseUrl ?? "" });
      try {
        const live = await api.live("alice", "Roamer");
        const secondApi = new Api(second);
        // The second instance has seen the token (and confirmed the seat) before the kick.
        expect(
          (await secondApi.request("GET", `/api/sessions/${live.session.id}/status`, { token: live.participantToken })).status,
        ).toBe(200);
        expect((await kick(live.session.id, live.participant.id)).status).toBe(204);
        const write = await secondApi.request(
          "POST",
          `/api/v1/sessions/${live.session.id}/activities/${live.activity.id}/responses`,
          {
            token: live.participantToken,
            json: { response_data: { choice: "salad" } },
          },
        );
        expectError(write, 401, "PARTICIPANT_REMOVED");
      } finally {
        await second.stop();
      }
    },
  );
});

describe("joins_locked (PUT /api/v1/sessions/{session_id})", () => {
  it("the owner locks joins: join answers 409 JOINS_LOCKED, those inside keep working; unlocking lets joins in again", async () => {
    const session = await api.activeSession(alice);
    expect(session.joins_locked).toBe(false);
    const inside = await api.join(session.join_code, "Inside");
    const locked = asSession(
      await api.ok("PUT", `/api/v1/sessions/${session.id}`, 200, { token: alice, json: { joins_locked: true } }),
    );
    expect(locked.joins_locked).toBe(true);
    const refused = expectError(
      await api.request("POST", "/api/v1/sessions/join", { json: { join_code: session.join_code, nickname: "Late" } }),
      409,
      "JOINS_LOCKED",
    );
    expect(refused.details).toEqual({ field: "join_code", reason: "locked" });
    expect((await sessionOf(session.id)).participant_count).toBe(1);
    expect((await statusAs(session.id, inside.token)).status).toBe(200);
    await api.ok("PUT", `/api/v1/sessions/${session.id}`, 200, { token: alice, json: { joins_locked: false } });
    expect((await api.join(session.join_code, "Late")).participant.nickname).toBe("Late");
  });

  it("only the owner may lock, and the value must be a boolean", async () => {
    const session = await api.activeSession(alice);
    expectError(
      await api.request("PUT", `/api/v1/sessions/${session.id}`, { token: api.admin("mallory"), json: { joins_locked: true } }),
      403,
      "FORBIDDEN",
    );
    expect(
      (await api.request("PUT", `/api/v1/sessions/${session.id}`, { token: alice, json: { joins_locked: "yes" } })).status,
    ).toBe(400);
    expect((await sessionOf(session.id)).joins_locked).toBe(false);
  });
});
