import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWireError } from "../src/index";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveQa } from "./qa-support";

/** Upvotes: one per participant and entry, idempotent, exact under concurrency. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const refusal = async (call: Promise<unknown>) => {
  const wire = toWireError(
    await call.then(
      () => undefined,
      (e: unknown) => e,
    ),
  );
  return [wire.status, wire.body.error.code];
};

async function voteRows(responseId: string): Promise<number> {
  const [row] = await queryRows<{ n: number | string }>(
    h.db.db,
    sql`select count(*) as n from response_votes where response_id = ${responseId}`,
  );
  return Number(row?.n);
}

describe("POST and DELETE .../responses/{response_id}/votes", () => {
  it("counts a vote once however often it is sent, and withdraws it likewise", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 2);
    const [ana, ben] = people as [(typeof people)[0], (typeof people)[0]];
    const id = await ask(ana, "Coffee?");
    const ref = { ...ids, response_id: id };

    expect(await ben.caller.response.vote(ref)).toEqual({ response_id: id, vote_count: 1, voted: true });
    expect(await ben.caller.response.vote(ref)).toEqual({ response_id: id, vote_count: 1, voted: true });
    const listed = await owner.response.list({ ...ids, limit: 10, offset: 0 });
    expect(listed.items[0]).toMatchObject({ id, vote_count: 1 });

    expect(await ben.caller.response.unvote(ref)).toEqual({ response_id: id, vote_count: 0, voted: false });
    expect(await ben.caller.response.unvote(ref)).toEqual({ response_id: id, vote_count: 0, voted: false });
    expect(await voteRows(id)).toBe(0);
  });

  it("refuses a vote on one's own entry (409 OWN_RESPONSE_VOTE)", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 1);
    const ana = people[0] as (typeof people)[0];
    const id = await ask(ana, "Mine");
    expect(await refusal(ana.caller.response.vote({ ...ids, response_id: id }))).toEqual([409, "OWN_RESPONSE_VOTE"]);
    // Also while it is pending: the author sees it, so it is not a 404 for them.
    await owner.response.moderate({ ...ids, response_id: id, status: "pending" });
    expect(await refusal(ana.caller.response.vote({ ...ids, response_id: id }))).toEqual([409, "OWN_RESPONSE_VOTE"]);
  });

  it("answers 404 for another's pending or rejected entry, and for a deleted one", async () => {
    // One entry per author: what several entries per participant need is the submit route's (multiple mode).
    const { ids, people, ask, owner } = await liveQa(h, 4);
    const [ana, ben, cy, dee] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0], (typeof people)[0]];
    const pending = await ask(ana, "Pending", "pending");
    const rejected = await ask(cy, "Rejected");
    await owner.response.moderate({ ...ids, response_id: rejected, status: "rejected" });
    const deleted = await ask(dee, "Deleted");
    await owner.response.remove({ ...ids, response_id: deleted });
    for (const response_id of [pending, rejected, deleted, "00000000-0000-4000-8000-000000000000"]) {
      expect(await refusal(ben.caller.response.vote({ ...ids, response_id }))).toEqual([404, "NOT_FOUND"]);
      expect(await refusal(ben.caller.response.unvote({ ...ids, response_id }))).toEqual([404, "NOT_FOUND"]);
    }
  });

  it("refuses votes once the activity is completed (409 ACTIVITY_NOT_ACTIVE)", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 2);
    const [ana, ben] = people as [(typeof people)[0], (typeof people)[0]];
    const id = await ask(ana, "Late");
    await owner.activity.setStatus({ activity_id: ids.activity_id, status: "completed" });
    expect(await refusal(ben.caller.response.vote({ ...ids, response_id: id }))).toEqual([409, "ACTIVITY_NOT_ACTIVE"]);
  });

  it("refuses votes on a type without them (409 VOTES_NOT_SUPPORTED)", async () => {
    const owner = h.caller(h.adminToken("host"));
    const session = await owner.session.create({ title: "Words" });
    const activity = await owner.activity.create({ session_id: session.id, type: "open_text", config: { question: "Say" } });
    await owner.session.setStatus({ session_id: session.id, status: "active" });
    await owner.activity.setStatus({ activity_id: activity.id, status: "active" });
    const ids = { session_id: session.id, activity_id: activity.id };
    const join = async (nickname: string) =>
      h.caller((await h.caller().participant.join({ join_code: session.join_code, nickname })).token);
    const [a, b] = [await join("a"), await join("b")];
    const entry = await a.response.submit({ ...ids, response_data: { text: "hello" } });
    expect(await refusal(b.response.vote({ ...ids, response_id: entry.id }))).toEqual([409, "VOTES_NOT_SUPPORTED"]);
  });

  it("50 participants voting at once: vote_count is exactly 50, the number of vote rows; then all withdraw", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 51);
    const [author, ...voters] = people as [(typeof people)[0], ...(typeof people)[0][]];
    const id = await ask(author, "Popular?");
    const ref = { ...ids, response_id: id };
    // Each voter sends its vote twice, concurrently with everyone else's.
    await Promise.all(voters.flatMap((v) => [v.caller.response.vote(ref), v.caller.response.vote(ref)]));
    const [entry] = (await owner.response.list({ ...ids, limit: 10, offset: 0 })).items;
    expect(entry?.vote_count).toBe(50);
    expect(await voteRows(id)).toBe(50);

    const last = await Promise.all(voters.map((v) => v.caller.response.unvote(ref)));
    expect(last.every((s) => !s.voted)).toBe(true);
    const [after] = (await owner.response.list({ ...ids, limit: 10, offset: 0 })).items;
    expect(after?.vote_count).toBe(0);
    expect(await voteRows(id)).toBe(0);
  });
});
