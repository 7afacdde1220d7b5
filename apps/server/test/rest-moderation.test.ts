import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, MISSING_ID, asResponse, expectError, expectValidationError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/** The owner's moderation and deletion of responses, and participants' votes, over REST. */
let server: TestServer;
let api: Api;

beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
});
afterAll(async () => server?.stop());

/** A live moderated Q&A with two participants; Ana has asked one question. */
async function liveQa() {
  const token = api.admin();
  const session = await api.activeSession(token);
  const qa = await api.activity(token, session.id, {
    type: "qa",
    title: "Questions",
    config: { prompt: "Ask", moderation: true },
  });
  await api.setActivityStatus(token, qa.id, "active");
  const ana = await api.join(session.join_code, "Ana");
  const ben = await api.join(session.join_code, "Ben");
  const question = await api.submit(ana.token, session.id, qa.id, { question_text: "Is it recorded?" });
  const base = `/api/v1/sessions/${session.id}/activities/${qa.id}/responses`;
  return { token, session, qa, ana, ben, question, base, entry: `${base}/${question.id}` };
}

const moderate = (path: string, token: string, status: unknown) =>
  api.request("PATCH", `${path}/moderation`, { token, json: { status } });

describe("PATCH /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/moderation", () => {
  it("200 with the response and its new status", async () => {
    const live = await liveQa();
    const res = await moderate(live.entry, live.token, "approved");
    expect(res.status).toBe(200);
    expect(asResponse(res.body)).toMatchObject({ id: live.question.id, status: "approved", vote_count: 0 });
    expect(asResponse((await moderate(live.entry, live.token, "rejected")).body).status).toBe("rejected");
  });

  it("400 for a status that is not one of approved, rejected, pending", async () => {
    const live = await liveQa();
    expectValidationError(await moderate(live.entry, live.token, "spam"), "status");
    expectValidationError(await api.request("PATCH", `${live.entry}/moderation`, { token: live.token, json: {} }), "status");
  });

  it("403 for participants, 404 for an unknown response, 400 for a malformed id", async () => {
    const live = await liveQa();
    expectError(await moderate(live.entry, live.ana.token, "approved"), 403, "FORBIDDEN");
    expectError(await moderate(`${live.base}/${MISSING_ID}`, live.token, "approved"), 404, "NOT_FOUND");
    expectValidationError(await moderate(`${live.base}/not-a-uuid`, live.token, "approved"), "response_id");
  });
});

describe("DELETE /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}", () => {
  it("204 with no body, the count drops, and a second delete is 404", async () => {
    const live = await liveQa();
    const status = `/api/sessions/${live.session.id}/activities/${live.qa.id}/status`;
    expect(await api.ok("GET", status, 200, { token: live.token })).toMatchObject({ response_count: 1 });
    const res = await api.request("DELETE", live.entry, { token: live.token });
    expect([res.status, res.text]).toEqual([204, ""]);
    expect(await api.ok("GET", status, 200, { token: live.token })).toMatchObject({ response_count: 0 });
    expectError(await api.request("DELETE", live.entry, { token: live.token }), 404, "NOT_FOUND");
  });

  it("403 for participants, even the author", async () => {
    const live = await liveQa();
    expectError(await api.request("DELETE", live.entry, { token: live.ana.token }), 403, "FORBIDDEN");
  });
});

describe("POST and DELETE .../responses/{response_id}/votes", () => {
  it("200 with the vote state, the same when repeated", async () => {
    const live = await liveQa();
    await moderate(live.entry, live.token, "approved");
    const votes = `${live.entry}/votes`;
    for (let i = 0; i < 2; i++) {
      const res = await api.request("POST", votes, { token: live.ben.token });
      expect([res.status, res.body]).toEqual([200, { response_id: live.question.id, vote_count: 1, voted: true }]);
    }
    for (let i = 0; i < 2; i++) {
      const res = await api.request("DELETE", votes, { token: live.ben.token });
      expect([res.status, res.body]).toEqual([200, { response_id: live.question.id, vote_count: 0, voted: false }]);
    }
  });

  it("404 while another's entry is pending; 409 OWN_RESPONSE_VOTE on one's own; 403 for the owner", async () => {
    const live = await liveQa();
    await moderate(live.entry, live.token, "pending");
    const votes = `${live.entry}/votes`;
    expectError(await api.request("POST", votes, { token: live.ben.token }), 404, "NOT_FOUND");
    const own = expectError(await api.request("POST", votes, { token: live.ana.token }), 409, "OWN_RESPONSE_VOTE");
    expect(own.message).toMatch(/own/);
    expectError(await api.request("POST", votes, { token: live.token }), 403, "FORBIDDEN");
  });

  it("409 ACTIVITY_NOT_ACTIVE once the activity is completed", async () => {
    const live = await liveQa();
    await moderate(live.entry, live.token, "approved");
    await api.setActivityStatus(live.token, live.qa.id, "completed");
    expectError(await api.request("POST", `${live.entry}/votes`, { token: live.ben.token }), 409, "ACTIVITY_NOT_ACTIVE");
  });
});

describe("GET .../responses/since/{timestamp} after a deletion", () => {
  it("carries a tombstone for the deleted id", async () => {
    const live = await liveQa();
    await moderate(live.entry, live.token, "approved");
    await api.request("DELETE", live.entry, { token: live.token });
    const feed = `/api/sessions/${live.session.id}/activities/${live.qa.id}/responses/since/2000-01-01T00:00:00Z`;
    let items: unknown[] = [];
    for (const until = Date.now() + 10_000; items.length === 0 && Date.now() < until;) {
      const body = (await api.ok("GET", feed, 200, { token: live.ben.token })) as { items: unknown[] };
      items = body.items;
      if (items.length === 0) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(items).toEqual([
      {
        id: live.question.id,
        session_id: live.session.id,
        activity_id: live.qa.id,
        deleted: true,
        reason: "deleted",
        deleted_at: expect.stringMatching(/Z$/),
        updated_at: expect.stringMatching(/Z$/),
      },
    ]);
  });
});
