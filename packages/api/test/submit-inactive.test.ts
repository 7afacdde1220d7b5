import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CajaError } from "../src/errors";
import { submitResponse } from "../src/services/submit";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * Nothing but the submit statement checks that the activity is active (the guard does not, and
 * no cache holds the status it decides on), so these tests call the service and read the stored
 * rows and counters from the database itself: a refusal that still wrote would pass any test that
 * reads the cached count, which that refusal never invalidates.
 */
let h: ApiHarness;
let owner: ReturnType<ApiHarness["caller"]>;
let sessionId: number;
let participantId: number;
beforeAll(async () => {
  h = await createApiHarness();
  owner = h.caller(h.adminToken());
  const session = await owner.session.create({ title: "Closed doors" });
  await owner.session.setStatus({ session_id: session.id, status: "active" });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "Ada" });
  sessionId = session.id;
  participantId = joined.participant.id;
}, 60_000);
afterAll(async () => h?.close());

const activity = async (response_mode: "single" | "multiple") =>
  (await owner.activity.create({ session_id: sessionId, type: "free_vote", title: "Q", config: {}, response_mode })).id;

const submit = (activityId: string, data: unknown) => submitResponse(h.deps, { sessionId, activityId, participantId, data });

const refusal = (work: Promise<unknown>) =>
  work.then(
    () => "stored",
    (error: unknown) => (error instanceof CajaError ? { code: error.code, details: error.details } : error),
  );

/** The activity's rows and counter shards as stored, not as any cache has them. */
async function stored(activityId: string) {
  const rows = await queryRows<{ response_data: unknown; updated_at: string }>(
    h.db.db,
    sql`select response_data, updated_at::text as updated_at from user_responses where activity_id = ${activityId} order by created_at`,
  );
  const [counter] = await queryRows<{ n: number }>(
    h.db.db,
    sql`select coalesce(sum(response_count), 0)::int as n from activity_response_counters where activity_id = ${activityId}`,
  );
  return { rows, counted: counter?.n };
}

describe("the submit statement refuses an activity that is not active", () => {
  it("a draft: 409 ACTIVITY_NOT_ACTIVE, no row and no count", async () => {
    const draft = await activity("multiple");
    expect(await refusal(submit(draft, { choice: "a" }))).toEqual({
      code: "ACTIVITY_NOT_ACTIVE",
      details: { activity_id: draft, status: "draft" },
    });
    expect(await stored(draft)).toEqual({ rows: [], counted: 0 });
  });

  it("a completed activity without an answer of the participant: no row and no count", async () => {
    const done = await activity("multiple");
    await owner.activity.setStatus({ activity_id: done, status: "active" });
    await owner.activity.setStatus({ activity_id: done, status: "completed" });
    expect(await refusal(submit(done, { choice: "a" }))).toEqual({
      code: "ACTIVITY_NOT_ACTIVE",
      details: { activity_id: done, status: "completed" },
    });
    expect(await stored(done)).toEqual({ rows: [], counted: 0 });
  });

  it("a completed single-answer activity keeps the participant's answer from before, unchanged", async () => {
    const done = await activity("single");
    await owner.activity.setStatus({ activity_id: done, status: "active" });
    await submit(done, { choice: "before" });
    const before = await stored(done);
    expect(before).toEqual({ rows: [{ response_data: { choice: "before" }, updated_at: expect.any(String) }], counted: 1 });
    await owner.activity.setStatus({ activity_id: done, status: "completed" });
    expect(await refusal(submit(done, { choice: "after" }))).toEqual({
      code: "ACTIVITY_NOT_ACTIVE",
      details: { activity_id: done, status: "completed" },
    });
    expect(await stored(done)).toEqual(before);
  });
});
