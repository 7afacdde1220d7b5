import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

/** Issue 9: the activity fields for response modes, reveal, threshold and private config. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const quizConfig = { question: "2+2?", options: ["3", "4"], correct_options: ["4"] };

async function liveSession() {
  const admin = h.caller(h.adminToken("alice"));
  const session = await admin.session.create({ title: "Fields" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "pat" });
  return { admin, session, participant: h.caller(joined.token) };
}

describe("activity.create: response fields", () => {
  it("defaults: single mode, no cap, results visible, no threshold, empty private config, no ends_at", async () => {
    const { admin, session } = await liveSession();
    const a = await admin.activity.create({ session_id: session.id, type: "custom", title: "c" });
    expect(a).toMatchObject({
      response_mode: "single",
      max_responses_per_participant: null,
      results_visible: true,
      min_responses_to_show: null,
      ends_at: null,
      private_config: {},
    });
  });

  it("stores the registry's mode for a registered type whatever is omitted", async () => {
    const { admin, session } = await liveSession();
    const qa = await admin.activity.create({
      session_id: session.id,
      type: "qa",
      config: { prompt: "Ask" },
      max_responses_per_participant: 3,
    });
    expect(qa).toMatchObject({ response_mode: "multiple", max_responses_per_participant: 3 });
    const same = await admin.activity.create({
      session_id: session.id,
      type: "qa",
      config: { prompt: "Ask" },
      response_mode: "multiple",
    });
    expect(same.response_mode).toBe("multiple");
  });

  it("refuses a mode that contradicts the registered type's: 400 at response_mode", async () => {
    const { admin, session } = await liveSession();
    await expect(
      admin.activity.create({
        session_id: session.id,
        type: "poll",
        config: { question: "q", options: ["a", "b"] },
        response_mode: "multiple",
      }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR", details: { field: "response_mode" } } });
  });

  it("lets an unregistered type choose multiple mode with a cap; a cap needs multiple mode", async () => {
    const { admin, session } = await liveSession();
    const multi = await admin.activity.create({
      session_id: session.id,
      type: "brainstorm",
      response_mode: "multiple",
      max_responses_per_participant: 5,
    });
    expect(multi).toMatchObject({ response_mode: "multiple", max_responses_per_participant: 5 });
    await expect(
      admin.activity.create({ session_id: session.id, type: "brainstorm", max_responses_per_participant: 5 }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR", details: { field: "max_responses_per_participant" } } });
    await expect(
      admin.activity.create({
        session_id: session.id,
        type: "poll",
        config: { question: "q", options: ["a", "b"] },
        max_responses_per_participant: 2,
      }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR", details: { field: "max_responses_per_participant" } } });
  });

  it("refuses a cap of 0 and a threshold of 0 with the field named", async () => {
    const { admin, session } = await liveSession();
    await expect(
      admin.activity.create({ session_id: session.id, type: "qa", config: { prompt: "p" }, max_responses_per_participant: 0 }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR", details: { field: "max_responses_per_participant" } } });
    await expect(
      admin.activity.create({ session_id: session.id, type: "qa", config: { prompt: "p" }, min_responses_to_show: 0 }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR", details: { field: "min_responses_to_show" } } });
  });

  it("refuses private_config for a registered type (its private fields live in config)", async () => {
    const { admin, session } = await liveSession();
    await expect(
      admin.activity.create({ session_id: session.id, type: "quiz", config: quizConfig, private_config: { answer: 4 } }),
    ).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR", details: { field: "private_config" } } });
  });
});

describe("activity.update: response fields", () => {
  it("sets results_visible and min_responses_to_show in any status", async () => {
    const { admin, session } = await liveSession();
    const a = await admin.activity.create({
      session_id: session.id,
      type: "poll",
      config: { question: "q", options: ["a", "b"] },
    });
    const ref = { session_id: session.id, activity_id: a.id };
    await admin.activity.setStatus({ activity_id: a.id, status: "active" });
    await admin.activity.setStatus({ activity_id: a.id, status: "completed" });
    const hidden = await admin.activity.update({ ...ref, results_visible: false, min_responses_to_show: 3 });
    expect(hidden).toMatchObject({ results_visible: false, min_responses_to_show: 3, status: "completed" });
    const shown = await admin.activity.update({ ...ref, results_visible: true, min_responses_to_show: null });
    expect(shown).toMatchObject({ results_visible: true, min_responses_to_show: null });
  });

  it("a type change takes the new type's mode; a leftover cap must be cleared with it", async () => {
    const { admin, session } = await liveSession();
    const a = await admin.activity.create({
      session_id: session.id,
      type: "qa",
      config: { prompt: "p" },
      max_responses_per_participant: 2,
    });
    const ref = { session_id: session.id, activity_id: a.id };
    const poll = { question: "q", options: ["a", "b"] };
    await expect(admin.activity.update({ ...ref, type: "poll", config: poll })).rejects.toMatchObject({
      cause: { details: { field: "max_responses_per_participant" } },
    });
    const changed = await admin.activity.update({ ...ref, type: "poll", config: poll, max_responses_per_participant: null });
    expect(changed).toMatchObject({ type: "poll", response_mode: "single", max_responses_per_participant: null });
  });

  it("fixes the mode once the activity has started", async () => {
    const { admin, session } = await liveSession();
    const a = await admin.activity.create({ session_id: session.id, type: "custom" });
    const ref = { session_id: session.id, activity_id: a.id };
    expect((await admin.activity.update({ ...ref, response_mode: "multiple" })).response_mode).toBe("multiple");
    await admin.activity.setStatus({ activity_id: a.id, status: "active" });
    await expect(admin.activity.update({ ...ref, response_mode: "single" })).rejects.toMatchObject({
      cause: { code: "VALIDATION_ERROR", details: { field: "response_mode" } },
    });
    expect((await admin.activity.update({ ...ref, max_responses_per_participant: 4 })).max_responses_per_participant).toBe(4);
  });
});

describe("private config never reaches participants before the activity completes", () => {
  it("a quiz's correct_options: hidden from participants in get and list while active, shown once completed; owners always", async () => {
    const { admin, session, participant } = await liveSession();
    const quiz = await admin.activity.create({ session_id: session.id, type: "quiz", config: quizConfig });
    const ref = { session_id: session.id, activity_id: quiz.id };
    await admin.activity.setStatus({ activity_id: quiz.id, status: "active" });

    const seen = await participant.activity.get(ref);
    expect(seen.config).toEqual({ question: "2+2?", options: ["3", "4"] });
    expect(seen).not.toHaveProperty("private_config");
    const listed = await participant.activity.list({ session_id: session.id, limit: 10, offset: 0 });
    expect(listed.items[0]?.config).not.toHaveProperty("correct_options");
    expect(listed.items[0]).not.toHaveProperty("private_config");
    expect((await admin.activity.get(ref)).config).toMatchObject({ correct_options: ["4"] });

    await admin.activity.setStatus({ activity_id: quiz.id, status: "completed" });
    expect((await participant.activity.get(ref)).config).toMatchObject({ correct_options: ["4"] });
    const after = await participant.activity.list({ session_id: session.id, limit: 10, offset: 0 });
    expect(after.items[0]?.config).toMatchObject({ correct_options: ["4"] });
  });

  it("an unregistered type's private_config: owner only until completion", async () => {
    const { admin, session, participant } = await liveSession();
    const a = await admin.activity.create({
      session_id: session.id,
      type: "treasure",
      config: { clue: "under the mat" },
      private_config: { answer: "key" },
    });
    expect(a.private_config).toEqual({ answer: "key" });
    const ref = { session_id: session.id, activity_id: a.id };
    await admin.activity.setStatus({ activity_id: a.id, status: "active" });
    const seen = await participant.activity.get(ref);
    expect(seen.config).toEqual({ clue: "under the mat" });
    expect(seen).not.toHaveProperty("private_config");
    const listed = await participant.activity.list({ session_id: session.id, limit: 10, offset: 0 });
    expect(listed.items.map((item) => [item.id, item.config, "private_config" in item])).toEqual([
      [a.id, { clue: "under the mat" }, false],
    ]);
    expect((await admin.activity.get(ref)).private_config).toEqual({ answer: "key" });

    const updated = await admin.activity.update({ ...ref, private_config: { answer: "door" } });
    expect(updated.private_config).toEqual({ answer: "door" });

    await admin.activity.setStatus({ activity_id: a.id, status: "completed" });
    expect((await participant.activity.get(ref)).private_config).toEqual({ answer: "door" });
  });
});
