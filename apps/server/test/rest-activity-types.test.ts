import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, asActivity, expectValidationError } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

let server: TestServer;
let strictServer: TestServer;
let api: Api;
let strictApi: Api;

beforeAll(async () => {
  [server, strictServer] = await Promise.all([startTestServer(), startTestServer({ ALLOW_CUSTOM_ACTIVITY_TYPES: "false" })]);
  api = new Api(server);
  strictApi = new Api(strictServer);
});
afterAll(async () => Promise.all([server?.stop(), strictServer?.stop()]));

const activities = (sessionId: number) => `/api/v1/sessions/${sessionId}/activities`;

describe("POST /api/v1/sessions/{session_id}/activities with a registered type", () => {
  it("400 in the spec's format when the config does not fit the type", async () => {
    const alice = api.admin("alice");
    const session = await api.session(alice);
    const res = await api.request("POST", activities(session.id), {
      token: alice,
      json: { type: "poll", title: "Lunch?", config: { options: ["pizza", "salad"] } },
    });
    const error = expectValidationError(res, "config.question");
    expect(error).toEqual({
      code: "VALIDATION_ERROR",
      message: "Invalid activity configuration",
      details: { field: "config.question", reason: "Required field missing" },
    });
  });

  it("201 with the config as validated", async () => {
    const alice = api.admin("alice");
    const session = await api.session(alice);
    const res = await api.request("POST", activities(session.id), {
      token: alice,
      json: { type: "rating", title: "Mood", config: { question: "How do you feel? ", min: 1, max: 5 } },
    });
    expect(res.status).toBe(201);
    expect(asActivity(res.body).config).toEqual({ question: "How do you feel?", min: 1, max: 5 });
  });

  it("400 at config.<field> on PUT too", async () => {
    const alice = api.admin("alice");
    const session = await api.session(alice);
    const quiz = await api.activity(alice, session.id, {
      type: "quiz",
      config: { question: "2 + 2?", options: ["3", "4"], correct_options: ["4"] },
    });
    const res = await api.request("PUT", `${activities(session.id)}/${quiz.id}`, {
      token: alice,
      json: { config: { question: "2 + 2?", options: ["3", "4"], correct_options: ["5"] } },
    });
    expect(expectValidationError(res, "config.correct_options.0").details.reason).toBe("Not one of the options");
  });
});

describe("ALLOW_CUSTOM_ACTIVITY_TYPES=false", () => {
  it("400 at field type for a type that is not registered; registered types still work", async () => {
    const alice = strictApi.admin("alice");
    const session = await strictApi.session(alice);
    const res = await strictApi.request("POST", activities(session.id), { token: alice, json: { type: "custom", title: "t" } });
    expect(expectValidationError(res, "type").details.reason).toBe('Unknown activity type "custom"');
    const poll = await strictApi.activity(alice, session.id, { type: "poll", config: { question: "q", options: ["a", "b"] } });
    expect(poll.type).toBe("poll");
  });
});

describe("MAX_RESPONSES_PER_PARTICIPANT=2", () => {
  it("is the listed default of multiple-mode types and the cap of an activity that names none", async () => {
    const capped = await startTestServer({ MAX_RESPONSES_PER_PARTICIPANT: "2" });
    try {
      const cappedApi = new Api(capped);
      const listing = await cappedApi.request("GET", "/api/v1/activity-types");
      const { items } = listing.body as { items: Array<{ type: string; default_max_responses_per_participant: unknown }> };
      expect(Object.fromEntries(items.map((t) => [t.type, t.default_max_responses_per_participant]))).toMatchObject({
        open_text: 2,
        poll: null,
      });
      const alice = cappedApi.admin("alice");
      const session = await cappedApi.activeSession(alice);
      const created = await cappedApi.activity(alice, session.id, { type: "open_text", config: { question: "Say" } });
      expect(created.max_responses_per_participant).toBeNull();
      await cappedApi.setActivityStatus(alice, created.id, "active");
      const { token } = await cappedApi.join(session.join_code, "Ana");
      const submit = (text: string) =>
        cappedApi.request("POST", `${activities(session.id)}/${created.id}/responses`, {
          token,
          json: { response_data: { text } },
        });
      expect((await submit("one")).status).toBe(201);
      expect((await submit("two")).status).toBe(201);
      const third = await submit("three");
      expect(third.status).toBe(409);
      expect(third.body).toMatchObject({ error: { code: "RESPONSE_LIMIT_REACHED", details: { limit: 2 } } });
    } finally {
      await capped.stop();
    }
  });
});
