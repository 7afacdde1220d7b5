import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cachedActivityDefinition } from "../src/services/activity-definition";
import { idempotent, sweepIdempotencyKeys } from "../src/services/idempotency";
import { createApiHarness, type ApiHarness } from "./harness";

/** Issue 9: `Idempotency-Key` on submissions, read from the request headers (REST and tRPC alike). */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

async function live(type: string, config: Record<string, unknown>, fields: Record<string, unknown> = {}) {
  const admin = h.caller(h.adminToken("alice"));
  const session = await admin.session.create({ title: "Retries" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  const activity = await admin.activity.create({ session_id: session.id, type, config, ...fields });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "retry" });
  const ref = { session_id: session.id, activity_id: activity.id };
  const submit = (key: string | undefined, response_data: unknown) =>
    h.caller(joined.token, key === undefined ? {} : { "Idempotency-Key": key }).response.submit({ ...ref, response_data });
  const stored = async () => (await admin.response.list({ ...ref, limit: 100, offset: 0 })).items;
  const count = async () => (await admin.activity.status(ref)).response_count;
  return { admin, ref, submit, stored, count, participantId: joined.participant.id, token: joined.token };
}

const qa = { prompt: "Ask" };

describe("POST .../responses with Idempotency-Key", () => {
  it("a retry with the same key and body returns the first result and writes nothing", async () => {
    const { submit, stored, count } = await live("qa", qa);
    const first = await submit("key-1", { question_text: "Why?" });
    const retry = await submit("key-1", { question_text: "Why?" });
    expect(retry).toEqual(first);
    expect(await stored()).toHaveLength(1);
    expect(await count()).toBe(1);
    // Another key is another request: multiple mode adds a row.
    expect((await submit("key-2", { question_text: "Why?" })).id).not.toBe(first.id);
    expect(await stored()).toHaveLength(2);
  });

  it("the body's key order does not matter (canonical hash)", async () => {
    const { submit } = await live("free_form", {}, { response_mode: "multiple" });
    const first = await submit("k", { a: 1, b: { c: 2, d: 3 } });
    expect((await submit("k", { b: { d: 3, c: 2 }, a: 1 })).id).toBe(first.id);
  });

  it("the same key with another body: 422 IDEMPOTENCY_KEY_REUSED", async () => {
    const { submit, stored } = await live("qa", qa);
    await submit("key-1", { question_text: "Why?" });
    await expect(submit("key-1", { question_text: "How?" })).rejects.toMatchObject({
      cause: { code: "IDEMPOTENCY_KEY_REUSED", details: { field: "Idempotency-Key" } },
    });
    expect(await stored()).toHaveLength(1);
  });

  it("keys are per participant: another participant's same key is its own request", async () => {
    const a = await live("qa", qa);
    const b = await live("qa", qa);
    const ra = await a.submit("shared", { question_text: "A" });
    const rb = await b.submit("shared", { question_text: "B" });
    expect(rb.id).not.toBe(ra.id);
  });

  it("concurrent requests with the same key write once and all answer the same response", async () => {
    const { submit, stored, count } = await live("open_text", { question: "Say" });
    // Each waits on the first one's key row until it commits, then answers its result: none fails.
    const results = await Promise.all(Array.from({ length: 10 }, () => submit("burst", { text: "once" })));
    const rows = await stored();
    expect(rows).toHaveLength(1);
    expect(results).toEqual(Array.from({ length: 10 }, () => results[0]));
    expect(results[0]?.id).toBe(rows[0]?.id);
    expect(await count()).toBe(1);
  });

  it("single mode: a retried answer never counts twice", async () => {
    const { submit, stored, count } = await live("poll", { question: "q", options: ["a", "b"] });
    const first = await submit("vote", { selected_options: ["a"] });
    await Promise.all([submit("vote", { selected_options: ["a"] }), submit("vote", { selected_options: ["a"] })]);
    expect((await stored()).map((r) => r.id)).toEqual([first.id]);
    expect(await count()).toBe(1);
  });

  it("the same key on another activity is a reuse: 422, and nothing is stored there", async () => {
    const { admin, ref, token, stored } = await live("poll", { question: "q", options: ["a", "b"] });
    const other = await admin.activity.create({
      session_id: ref.session_id,
      type: "poll",
      config: { question: "q2", options: ["a", "b"] },
    });
    const answer = (activityId: string) =>
      h.caller(token, { "Idempotency-Key": "same" }).response.submit({
        session_id: ref.session_id,
        activity_id: activityId,
        response_data: { selected_options: ["a"] },
      });
    await answer(ref.activity_id);
    // The next question of the session opens (and closes the first).
    await admin.activity.setStatus({ activity_id: other.id, status: "active" });
    // Same participant, key and answer, another activity: not a retry of the first request.
    await expect(answer(other.id)).rejects.toMatchObject({ cause: { code: "IDEMPOTENCY_KEY_REUSED" } });
    const otherRef = { session_id: ref.session_id, activity_id: other.id };
    expect((await admin.response.list({ ...otherRef, limit: 10, offset: 0 })).total).toBe(0);
    expect(await stored()).toHaveLength(1);
  });

  it("the request hash covers the session and the activity, not only the answer", async () => {
    const { participantId, ref } = await live("qa", qa);
    const request = (body: Record<string, unknown>) =>
      idempotent(h.deps, { participantId, key: "scoped", body: { procedure: "response.submit", ...body } }, 201, () =>
        Promise.resolve(body),
      );
    const answer = { response_data: { question_text: "Why?" } };
    await request({ ...ref, ...answer });
    await expect(request({ ...ref, session_id: ref.session_id + 1, ...answer })).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    await expect(request({ ...ref, activity_id: crypto.randomUUID(), ...answer })).rejects.toMatchObject({
      code: "IDEMPOTENCY_KEY_REUSED",
    });
    await expect(request({ ...ref, ...answer })).resolves.toMatchObject({ replayed: true });
  });

  it("a failed request is not remembered: its retry with the key runs again", async () => {
    const { submit, stored } = await live("qa", qa, { max_responses_per_participant: 1 });
    await submit(undefined, { question_text: "first" });
    await expect(submit("k", { question_text: "second" })).rejects.toMatchObject({ cause: { code: "RESPONSE_LIMIT_REACHED" } });
    await expect(submit("k", { question_text: "second" })).rejects.toMatchObject({ cause: { code: "RESPONSE_LIMIT_REACHED" } });
    expect(await stored()).toHaveLength(1);
  });

  it("refuses a key that is empty, too long or not visible ASCII: 400 at Idempotency-Key", async () => {
    const { submit } = await live("qa", qa);
    for (const key of ["", "x".repeat(256), "has space", "naïve"]) {
      await expect(submit(key, { question_text: "q" })).rejects.toMatchObject({
        cause: { code: "VALIDATION_ERROR", details: { field: "Idempotency-Key" } },
      });
    }
  });

  it("keys older than 24 h are ignored, and the sweep deletes them", async () => {
    const { submit, stored, participantId } = await live("qa", qa);
    const first = await submit("old", { question_text: "Why?" });
    await h.deps.db.execute(
      sql`update idempotency_keys set created_at = now() - interval '25 hours' where participant_id = ${participantId}`,
    );
    // Expired: the same key is a new request, even with another body.
    const again = await submit("old", { question_text: "How?" });
    expect(again.id).not.toBe(first.id);
    expect(await stored()).toHaveLength(2);
    await h.deps.db.execute(
      sql`update idempotency_keys set created_at = now() - interval '25 hours' where participant_id = ${participantId}`,
    );
    expect(await sweepIdempotencyKeys(h.deps.db)).toBeGreaterThanOrEqual(1);
    const left = await queryRows(h.deps.db, sql`select 1 from idempotency_keys where participant_id = ${participantId}`);
    expect(left).toEqual([]);
  });
});

describe("cached reads made inside an idempotent submission's transaction", () => {
  // Issue 10's fault suite: a submission whose transaction a statement timeout aborted had
  // queued the activity definition's (shared) cache load on that transaction; the load failed
  // with 25P02, and so did every other request waiting on that key (500 INTERNAL_ERROR).
  it("are the request's own: its aborted transaction does not fail another request reading the same key", async () => {
    const { ref, participantId } = await live("qa", qa);
    let inside: PromiseSettledResult<unknown> | undefined;
    let outside: Promise<unknown> | undefined;
    const outcome = await idempotent(h.deps, { participantId, key: "aborted", body: {} }, 201, async (tx) => {
      // The transaction is now aborted, as a statement timeout leaves it.
      await tx.db.execute(sql`select 1 / 0`).catch(() => undefined);
      const own = cachedActivityDefinition(tx, ref.activity_id);
      // Another request, meanwhile, through the cache (not awaited here: PGlite has one connection).
      outside = cachedActivityDefinition(h.deps, ref.activity_id);
      [inside] = await Promise.allSettled([own]);
      return {};
    }).catch((error: unknown) => error);
    expect(outcome).toBeInstanceOf(Error);
    expect(inside?.status).toBe("rejected");
    expect(await outside).toEqual(expect.objectContaining({ type: "qa", config: qa }));
  });
});
