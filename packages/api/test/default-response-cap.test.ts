import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * A multiple-mode activity without `max_responses_per_participant` takes at most the deployment's
 * default per participant (MAX_RESPONSES_PER_PARTICIPANT; 3 here), enforced by the submit statement
 * as an activity's own cap is: before, one participant could add answers without end (issue 18, item 10).
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness({ maxResponsesPerParticipant: 3 });
}, 60_000);
afterAll(async () => h?.close());

async function live(type: string, config: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  const admin = h.caller(h.adminToken("alice"));
  const session = await admin.session.create({ title: type });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  const activity = await admin.activity.create({ session_id: session.id, type, config, ...fields });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const { token } = await h.caller().participant.join({ join_code: session.join_code, nickname: "p0" });
  const ref = { session_id: session.id, activity_id: activity.id };
  const submit = (response_data: unknown) => h.caller(token).response.submit({ ...ref, response_data });
  const count = async () => (await admin.activity.status(ref)).response_count;
  return { admin, ref, submit, count };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { cause?: { code?: string } }) => e.cause?.code ?? "unknown",
  );

describe("the default cap of multiple-mode activities", () => {
  it("stops a participant at the default: 409 RESPONSE_LIMIT_REACHED with details.limit", async () => {
    const { submit, count } = await live("qa", { prompt: "Ask" });
    for (const q of ["1", "2", "3"]) await submit({ question_text: q });
    await expect(submit({ question_text: "4" })).rejects.toMatchObject({
      cause: { code: "RESPONSE_LIMIT_REACHED", details: { limit: 3 } },
    });
    expect(await count()).toBe(3);
  });

  it("holds under concurrency: 20 parallel submissions store exactly 3", async () => {
    const { submit, count } = await live("brainstorm", {}, { response_mode: "multiple" });
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => codeOf(submit(`idea ${i}`))));
    expect(codes.filter((c) => c === "ok")).toHaveLength(3);
    expect(codes.filter((c) => c === "RESPONSE_LIMIT_REACHED")).toHaveLength(17);
    expect(await count()).toBe(3);
  });

  it("an activity's own cap replaces it, above or below", async () => {
    const above = await live("open_text", { question: "Say" }, { max_responses_per_participant: 5 });
    const codes = [];
    for (let i = 0; i < 6; i++) codes.push(await codeOf(above.submit({ text: `t${i}` })));
    expect(codes).toEqual(["ok", "ok", "ok", "ok", "ok", "RESPONSE_LIMIT_REACHED"]);
    const below = await live("open_text", { question: "Say" }, { max_responses_per_participant: 1 });
    await below.submit({ text: "one" });
    expect(await codeOf(below.submit({ text: "two" }))).toBe("RESPONSE_LIMIT_REACHED");
  });

  it("leaves single mode alone: a resubmission replaces the answer", async () => {
    const { submit, count } = await live("poll", { question: "Q", options: ["a", "b"] });
    for (let i = 0; i < 5; i++) await submit({ selected_options: [i % 2 ? "a" : "b"] });
    expect(await count()).toBe(1);
  });

  it("is named in the activity-types listing for multiple-mode types (null for single-mode ones)", async () => {
    const { items } = await h.caller().activityType.list({});
    const byType = Object.fromEntries(items.map((t) => [t.type, t.default_max_responses_per_participant]));
    expect(byType).toMatchObject({ qa: 3, open_text: 3, word_cloud: 3, poll: null, rating: null, quiz: null });
  });
});
