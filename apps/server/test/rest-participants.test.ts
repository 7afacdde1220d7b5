import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "@caja/db";
import {
  Api,
  asJoin,
  asListedParticipant,
  asPage,
  asParticipantSession,
  asSession,
  expectError,
  expectValidationError,
} from "./fixtures";
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

const join = (json: unknown) => api.request("POST", "/api/v1/sessions/join", { json });
const sessionOf = async (id: number) => asSession(await api.ok("GET", `/api/v1/sessions/${id}`, 200, { token: alice }));

describe("POST /api/v1/sessions/join", () => {
  it("201 with the participant, a bearer token and the session, without any token", async () => {
    const session = await api.activeSession(alice, { title: "Quiz night" });
    const before = Date.now();
    const res = await join({ join_code: session.join_code, nickname: "  Bob  " });
    expect(res.status).toBe(201);
    const joined = asJoin(res.body);
    expect(joined.participant).toMatchObject({ session_id: session.id, nickname: "Bob" });
    expect(joined.session).toEqual({ id: session.id, title: "Quiz night", status: "active" });
    // PARTICIPANT_TOKEN_TTL defaults to 12h.
    const ttl = Date.parse(joined.expires_at) - before;
    expect(ttl).toBeGreaterThan(12 * 3600_000 - 60_000);
    expect(ttl).toBeLessThan(12 * 3600_000 + 60_000);
    const seen = asParticipantSession(await api.ok("GET", `/api/v1/sessions/${session.id}`, 200, { token: joined.token }));
    expect(seen.participant_count).toBe(1);
  });

  it("accepts the code in any case and with spaces around it", async () => {
    const session = await api.activeSession(alice);
    const joined = await api.join(`  ${session.join_code.toLowerCase()} `, "Cy");
    expect(joined.session.id).toBe(session.id);
  });

  it("lets participants into a draft session's lobby", async () => {
    const session = await api.session(alice);
    const joined = await api.join(session.join_code, "Early");
    expect(joined.session.status).toBe("draft");
  });

  it("moves participant_count and updated_at", async () => {
    const session = await api.activeSession(alice);
    await api.join(session.join_code, "Ann");
    const after = await sessionOf(session.id);
    expect(after.participant_count).toBe(1);
    expect(Date.parse(after.updated_at)).toBeGreaterThan(Date.parse(session.updated_at));
  });

  it("404 NOT_FOUND for an unknown code", async () => {
    const error = expectError(await join({ join_code: "ZZZZZZ", nickname: "Bob" }), 404, "NOT_FOUND");
    expect(error.details.field).toBe("join_code");
  });

  it("409 NICKNAME_TAKEN for a nickname taken in another case, and the count does not move", async () => {
    const session = await api.activeSession(alice);
    await api.join(session.join_code, "Bob");
    const error = expectError(await join({ join_code: session.join_code, nickname: "BOB" }), 409, "NICKNAME_TAKEN");
    expect(error.details.field).toBe("nickname");
    expect((await sessionOf(session.id)).participant_count).toBe(1);
    // Only within one session.
    const other = await api.activeSession(alice);
    expect((await api.join(other.join_code, "bob")).participant.nickname).toBe("bob");
  });

  it("normalises nicknames before the uniqueness check: invisible characters, width and spacing cannot fake a second 'Ana'", async () => {
    const session = await api.activeSession(alice);
    expect((await api.join(session.join_code, " Ana ")).participant.nickname).toBe("Ana");
    for (const lookalike of ["A\u200bna", "\u202eAna", "Ａｎａ", "An\u00ada", "ana\u200d", "\ufeffAna\t"]) {
      expectError(await join({ join_code: session.join_code, nickname: lookalike }), 409, "NICKNAME_TAKEN");
    }
    const spaced = await api.join(session.join_code, "Mary \u00a0\u3000 Jo");
    expect(spaced.participant.nickname).toBe("Mary Jo");
    // Emoji sequences keep their joiners.
    expect((await api.join(session.join_code, "👩‍💻 dev")).participant.nickname).toBe("👩‍💻 dev");
    expect((await sessionOf(session.id)).participant_count).toBe(3);
  });

  it.each(["\u200b", "\u200b\u200c\u2060", " \u3164 ", "\u0007\u0000"])(
    "400 for a nickname that is nothing once invisible characters are gone (%j)",
    async (nickname) => {
      const session = await api.activeSession(alice);
      expectValidationError(await join({ join_code: session.join_code, nickname }), "nickname");
      expect((await sessionOf(session.id)).participant_count).toBe(0);
    },
  );

  it("409 SESSION_FULL once max_participants have joined", async () => {
    const session = await api.activeSession(alice, { max_participants: 2 });
    await api.join(session.join_code, "One");
    await api.join(session.join_code, "Two");
    expectError(await join({ join_code: session.join_code, nickname: "Three" }), 409, "SESSION_FULL");
    expect((await sessionOf(session.id)).participant_count).toBe(2);
  });

  it("409 SESSION_CLOSED for a completed session", async () => {
    const session = await api.activeSession(alice);
    await api.setSessionStatus(alice, session.id, "completed");
    expectError(await join({ join_code: session.join_code, nickname: "Late" }), 409, "SESSION_CLOSED");
  });

  it.each([
    ["missing nickname", { join_code: "ABCDEF" }, "nickname"],
    ["blank nickname", { join_code: "ABCDEF", nickname: "  " }, "nickname"],
    ["nickname over 50 characters", { join_code: "ABCDEF", nickname: "n".repeat(51) }, "nickname"],
    ["missing join_code", { nickname: "Bob" }, "join_code"],
    ["join_code over 12 characters", { join_code: "A".repeat(13), nickname: "Bob" }, "join_code"],
  ])("400 for %s", async (_, json, field) => {
    expectValidationError(await join(json), field);
  });

  it("admits exactly max_participants of 20 simultaneous joins", async () => {
    const session = await api.activeSession(alice, { max_participants: 10 });
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) => join({ join_code: session.join_code, nickname: `racer-${i}` })),
    );
    const ok = results.filter((r) => r.status === 201);
    const full = results.filter((r) => r.status === 409);
    expect(ok).toHaveLength(10);
    expect(full).toHaveLength(10);
    for (const r of full) expectError(r, 409, "SESSION_FULL");
    expect((await sessionOf(session.id)).participant_count).toBe(10);
    const listed = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/participants?limit=100`, 200, { token: alice }),
      asListedParticipant,
    );
    expect(listed.total).toBe(10);
    expect(new Set(listed.items.map((p) => p.id))).toEqual(new Set(ok.map((r) => asJoin(r.body).participant.id)));
  });

  it("gives one nickname to exactly one of 10 simultaneous joins", async () => {
    const session = await api.activeSession(alice);
    const names = ["sam", "Sam", "SAM", "sAm", "saM", "SAm", "sAM", "SaM", "sam", "Sam"];
    const results = await Promise.all(names.map((nickname) => join({ join_code: session.join_code, nickname })));
    expect(results.filter((r) => r.status === 201)).toHaveLength(1);
    for (const r of results.filter((r) => r.status !== 201)) expectError(r, 409, "NICKNAME_TAKEN");
    expect((await sessionOf(session.id)).participant_count).toBe(1);
  });
});

describe("GET /api/v1/sessions/{session_id}/participants", () => {
  it("lists participants in join order in the pagination envelope", async () => {
    const session = await api.activeSession(alice);
    const ids: number[] = [];
    for (const name of ["Ann", "Ben", "Cat"]) ids.push((await api.join(session.join_code, name)).participant.id);
    const page = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/participants`, 200, { token: alice }),
      asListedParticipant,
    );
    expect(page).toMatchObject({ total: 3, limit: 20, offset: 0, has_next: false, has_prev: false });
    expect(page.items.map((p) => [p.id, p.nickname, p.session_id])).toEqual([
      [ids[0], "Ann", session.id],
      [ids[1], "Ben", session.id],
      [ids[2], "Cat", session.id],
    ]);

    const second = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/participants?limit=1&offset=1`, 200, { token: alice }),
      asListedParticipant,
    );
    expect(second).toMatchObject({ total: 3, limit: 1, offset: 1, has_next: true, has_prev: true });
    expect(second.items.map((p) => p.nickname)).toEqual(["Ben"]);
  });

  it.each(["limit=0", "limit=101", "limit=abc", "offset=-1"])("400 for ?%s", async (query) => {
    const session = await api.session(alice);
    const res = await api.request("GET", `/api/v1/sessions/${session.id}/participants?${query}`, { token: alice });
    expectValidationError(res, query.split("=")[0] ?? "");
  });

  it("404 for an unknown session", async () => {
    expectError(await api.request("GET", "/api/v1/sessions/999999/participants", { token: alice }), 404, "NOT_FOUND");
  });

  it("the owner sees every field and who is online (own requests in the last 30 s)", async () => {
    const session = await api.activeSession(alice);
    const ann = await api.join(session.join_code, "Ann");
    const ben = await api.join(session.join_code, "Ben");
    // Joining counts as being seen; Ben's last request is made a minute old (no API ages a participant).
    await server.deps.db.execute(
      sql`update participants set last_seen_at = now() - interval '60 seconds' where id = ${ben.participant.id}`,
    );
    const page = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/participants`, 200, { token: alice }),
      asListedParticipant,
    );
    expect(page.items.map((p) => [p.id, p.nickname, p.online])).toEqual([
      [ann.participant.id, "Ann", true],
      [ben.participant.id, "Ben", false],
    ]);
  });

  it("a participant of the session sees the lobby: nickname, joined_at and online only", async () => {
    const session = await api.activeSession(alice);
    const ann = await api.join(session.join_code, "Ann");
    await api.join(session.join_code, "Ben");
    const page = asPage(
      await api.ok("GET", `/api/v1/sessions/${session.id}/participants?limit=1&offset=1`, 200, { token: ann.token }),
      (item) => item as Record<string, unknown>,
    );
    expect(page).toMatchObject({ total: 2, limit: 1, offset: 1, has_next: false, has_prev: true });
    expect(page.items).toEqual([{ nickname: "Ben", joined_at: expect.any(String), online: true }]);
  });

  it("403 for a participant of another session", async () => {
    const session = await api.activeSession(alice);
    const other = await api.activeSession(alice);
    const stranger = await api.join(other.join_code, "Zed");
    expectError(
      await api.request("GET", `/api/v1/sessions/${session.id}/participants`, { token: stranger.token }),
      403,
      "FORBIDDEN",
    );
  });
});
