import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

/** Issue 9: responses validated per type, single and multiple modes, the per-participant cap. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

type Fields = { response_mode?: "single" | "multiple"; max_responses_per_participant?: number | null };

/** An active activity in an active session, and `n` participants. */
async function live(type: string, config: Record<string, unknown>, fields: Fields = {}, n = 1) {
  const admin = h.caller(h.adminToken("alice"));
  const session = await admin.session.create({ title: type });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  const activity = await admin.activity.create({ session_id: session.id, type, config, ...fields });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const people = await Promise.all(
    Array.from({ length: n }, (_, i) => h.caller().participant.join({ join_code: session.join_code, nickname: `p${i}` })),
  );
  const ref = { session_id: session.id, activity_id: activity.id };
  const submit = (i: number, response_data: unknown) => h.caller(people[i]?.token).response.submit({ ...ref, response_data });
  const stored = async () => (await admin.response.list({ ...ref, limit: 100, offset: 0 })).items;
  const count = async () => (await admin.activity.status(ref)).response_count;
  return { admin, ref, submit, stored, count, people };
}

const codeOf = (p: Promise<unknown>) =>
  p.then(
    () => "ok",
    (e: { cause?: { code?: string } }) => e.cause?.code ?? "unknown",
  );

describe("POST .../responses validates response_data against the type and config", () => {
  const invalid = (field: string, reason: string) => ({
    cause: { code: "VALIDATION_ERROR", message: "Invalid response", details: { field, reason } },
  });
  const poll = { question: "Lunch?", options: ["Pizza", "Soup"] };

  it("poll: an option that is not one of the config's, two without allow_multiple, none at all", async () => {
    const { submit, stored } = await live("poll", poll);
    await expect(submit(0, { selected_options: ["Burger"] })).rejects.toMatchObject(
      invalid("response_data.selected_options.0", "Not one of the options"),
    );
    await expect(submit(0, { selected_options: ["Pizza", "Soup"] })).rejects.toMatchObject(
      invalid("response_data.selected_options", "Select exactly one option"),
    );
    await expect(submit(0, {})).rejects.toMatchObject(invalid("response_data.selected_options", "Required field missing"));
    expect(await stored()).toEqual([]);
  });

  it("word_cloud: more words than max_words_per_participant, a blank word", async () => {
    const { submit } = await live("word_cloud", { prompt: "One word", max_words_per_participant: 2 });
    await expect(submit(0, { words: ["a", "b", "c"] })).rejects.toMatchObject(
      invalid("response_data.words", "must contain at most 2 words"),
    );
    await expect(submit(0, { words: [" "] })).rejects.toMatchObject(invalid("response_data.words.0", "must not be blank"));
  });

  it("rating: a value off the scale or between steps", async () => {
    const { submit } = await live("rating", { question: "How?", min: 1, max: 5 });
    await expect(submit(0, { value: 6 })).rejects.toMatchObject(
      invalid("response_data.value", "must be between 1 and 5 in steps of 1"),
    );
    await expect(submit(0, { value: 2.5 })).rejects.toMatchObject(
      invalid("response_data.value", "must be between 1 and 5 in steps of 1"),
    );
  });

  it("qa: an empty question; a missing one with an unknown key lists both", async () => {
    const { submit } = await live("qa", { prompt: "Ask" });
    await expect(submit(0, { question_text: "" })).rejects.toMatchObject(
      invalid("response_data.question_text", "must not be empty"),
    );
    await expect(submit(0, { question: "x" })).rejects.toMatchObject({
      cause: {
        details: {
          field: "response_data.question_text",
          issues: [
            { field: "response_data.question_text", reason: "Required field missing" },
            { field: "response_data.question", reason: "Unknown field" },
          ],
        },
      },
    });
  });

  it("open_text: longer than max_length", async () => {
    const { submit } = await live("open_text", { question: "Say", max_length: 3 });
    await expect(submit(0, { text: "abcd" })).rejects.toMatchObject(
      invalid("response_data.text", "must be at most 3 characters"),
    );
  });

  it("quiz: an option that is not one of the config's", async () => {
    const { submit } = await live("quiz", { question: "2+2", options: ["3", "4"], correct_options: ["4"] });
    await expect(submit(0, { selected_options: ["5"] })).rejects.toMatchObject(
      invalid("response_data.selected_options.0", "Not one of the options"),
    );
  });

  it("stores the validated value (texts trimmed)", async () => {
    const { submit, stored } = await live("open_text", { question: "Say" });
    const r = await submit(0, { text: "  hello  " });
    expect(r.response_data).toEqual({ text: "hello" });
    expect((await stored()).map((s) => s.response_data)).toEqual([{ text: "hello" }]);
  });

  it("validates against the config as it is now, even right after an update", async () => {
    const { admin, ref, submit } = await live("poll", poll);
    await submit(0, { selected_options: ["Pizza"] });
    await admin.activity.update({ ...ref, config: { question: "Lunch?", options: ["Tacos", "Soup"] } });
    await expect(submit(0, { selected_options: ["Pizza"] })).rejects.toMatchObject({ cause: { code: "VALIDATION_ERROR" } });
    expect((await submit(0, { selected_options: ["Tacos"] })).response_data).toEqual({ selected_options: ["Tacos"] });
  });

  it("keeps any JSON for an unregistered type", async () => {
    const { submit } = await live("free_form", {});
    expect((await submit(0, [1, "two", { three: 3 }])).response_data).toEqual([1, "two", { three: 3 }]);
  });
});

describe("single mode: one answer per participant", () => {
  it("a resubmission replaces the answer (same id) and never counts twice, retried in parallel or not", async () => {
    const { submit, stored, count } = await live("poll", { question: "q", options: ["a", "b"] });
    const first = await submit(0, { selected_options: ["a"] });
    // In parallel, a request overtaken by a later-received one is refused (RESPONSE_SUPERSEDED, issue 10).
    const again = await Promise.allSettled(
      Array.from({ length: 10 }, (_, i) => submit(0, { selected_options: [i % 2 ? "a" : "b"] })),
    );
    const applied = again.flatMap((r) => (r.status === "fulfilled" ? [r.value.id] : []));
    expect(applied.length).toBeGreaterThan(0);
    expect(new Set(applied)).toEqual(new Set([first.id]));
    for (const r of again)
      if (r.status === "rejected") expect(r.reason).toMatchObject({ cause: { code: "RESPONSE_SUPERSEDED" } });
    expect(await stored()).toHaveLength(1);
    expect(await count()).toBe(1);
  });
});

describe("multiple mode: each submission is a new response", () => {
  it("qa adds a row per question and counts each", async () => {
    const { submit, stored, count } = await live("qa", { prompt: "Ask" });
    const a = await submit(0, { question_text: "Why?" });
    const b = await submit(0, { question_text: "How?" });
    expect(a.id).not.toBe(b.id);
    expect((await stored()).map((r) => r.response_data)).toEqual([{ question_text: "Why?" }, { question_text: "How?" }]);
    expect(await count()).toBe(2);
  });

  it("an unregistered type chooses multiple mode with response_mode", async () => {
    const { submit, stored, count } = await live("brainstorm", {}, { response_mode: "multiple" });
    await submit(0, "idea 1");
    await submit(0, "idea 2");
    expect(await stored()).toHaveLength(2);
    expect(await count()).toBe(2);
  });

  it("an unregistered type in the default single mode replaces", async () => {
    const { submit, stored } = await live("brainstorm", {});
    await submit(0, "idea 1");
    await submit(0, "idea 2");
    expect((await stored()).map((r) => r.response_data)).toEqual(["idea 2"]);
  });

  it("max_responses_per_participant: 409 RESPONSE_LIMIT_REACHED with the limit; others are not affected", async () => {
    const { submit } = await live("qa", { prompt: "Ask" }, { max_responses_per_participant: 2 }, 2);
    await submit(0, { question_text: "1" });
    await submit(0, { question_text: "2" });
    await expect(submit(0, { question_text: "3" })).rejects.toMatchObject({
      cause: { code: "RESPONSE_LIMIT_REACHED", details: { limit: 2 } },
    });
    expect(await codeOf(submit(1, { question_text: "mine" }))).toBe("ok");
  });

  it("the cap holds under concurrency: 20 parallel submissions with a cap of 3 store exactly 3", async () => {
    const { submit, stored, count } = await live("open_text", { question: "Say" }, { max_responses_per_participant: 3 });
    const codes = await Promise.all(Array.from({ length: 20 }, (_, i) => codeOf(submit(0, { text: `t${i}` }))));
    expect(codes.filter((c) => c === "ok")).toHaveLength(3);
    expect(codes.filter((c) => c === "RESPONSE_LIMIT_REACHED")).toHaveLength(17);
    expect(await stored()).toHaveLength(3);
    expect(await count()).toBe(3);
  });

  it("a cap added while the activity runs applies at once", async () => {
    const { admin, ref, submit } = await live("brainstorm", {}, { response_mode: "multiple" });
    await submit(0, "a");
    await submit(0, "b");
    await admin.activity.update({ ...ref, max_responses_per_participant: 2 });
    expect(await codeOf(submit(0, "c"))).toBe("RESPONSE_LIMIT_REACHED");
  });
});

describe("moderated types", () => {
  it("a moderated Q&A's new questions start pending", async () => {
    const { stored, submit } = await live("qa", { prompt: "Ask", moderation: true });
    await submit(0, { question_text: "Why?" });
    // The wire shape of a response carries no status yet; read it from the row.
    const [id] = (await stored()).map((r) => r.id);
    const list = await queryRows(h.deps.db, sql`select status from user_responses where id = ${id}`);
    expect(list).toEqual([{ status: "pending" }]);
  });
});
