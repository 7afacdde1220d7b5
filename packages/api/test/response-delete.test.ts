import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWireError } from "../src/index";
import type { FeedItem } from "../src/schemas/polling";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveQa } from "./qa-support";

/** DELETE .../responses/{response_id}: counts follow, the data is erased, followers get a tombstone. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

type Caller = ReturnType<ApiHarness["caller"]>;

/** Polls the feed from `cursor` until an item arrives (bounded: a write shows once older transactions of the cluster end). */
async function nextItems(who: Caller, ids: { session_id: number; activity_id: string }, cursor?: string) {
  await h.feedSettled();
  for (const until = Date.now() + 10_000; ;) {
    const page = await who.response.feed({ ...ids, timestamp: "2000-01-01T00:00:00Z", cursor, limit: 100 });
    if (page.items.length > 0 || Date.now() > until) return page;
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe("DELETE /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}", () => {
  it("lowers the response count, erases the data, and sends followers a tombstone", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 3);
    const [ana, ben, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    const keep = await ask(ana, "Fine question");
    const abusive = await ask(cy, "Abusive question");
    expect((await owner.activity.status(ids)).response_count).toBe(2);
    const seen = await nextItems(ben.caller, ids);
    expect(seen.items.map((i) => i.id).sort()).toEqual([keep, abusive].sort());

    await owner.response.remove({ ...ids, response_id: abusive });

    expect((await owner.activity.status(ids)).response_count).toBe(1);
    const after = await nextItems(ben.caller, ids, seen.next_cursor);
    const tombstone: FeedItem | undefined = after.items[0];
    expect(after.items).toHaveLength(1);
    expect(tombstone).toMatchObject({ id: abusive, activity_id: ids.activity_id, deleted: true, reason: "deleted" });
    // The owner's feed says the same.
    const ownerView = await nextItems(owner, ids, seen.next_cursor);
    expect(ownerView.items).toEqual([tombstone]);
    // Lists no longer hold it, for anyone.
    for (const who of [owner, ana.caller, ben.caller, cy.caller]) {
      expect((await who.response.list({ ...ids, limit: 10, offset: 0 })).items.map((r) => r.id)).toEqual([keep]);
    }
    const [row] = await queryRows<{ response_data: unknown; deleted_at: unknown }>(
      h.db.db,
      sql`select response_data, deleted_at from user_responses where id = ${abusive}`,
    );
    expect(row?.response_data).toBeNull();
    expect(row?.deleted_at).not.toBeNull();
  });

  it("answers 404 the second time", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 1);
    const id = await ask(people[0] as (typeof people)[0], "Once");
    await owner.response.remove({ ...ids, response_id: id });
    const again = await owner.response.remove({ ...ids, response_id: id }).catch((e: unknown) => e);
    expect(toWireError(again).body.error).toMatchObject({ code: "NOT_FOUND" });
    expect((await owner.activity.status(ids)).response_count).toBe(0);
  });

  it("lets the author of a deleted single-mode answer answer again, counted once", async () => {
    const owner = h.caller(h.adminToken("host"));
    const session = await owner.session.create({ title: "Lunch" });
    const poll = await owner.activity.create({
      session_id: session.id,
      type: "poll",
      config: { question: "Lunch?", options: ["pizza", "sushi"] },
    });
    await owner.session.setStatus({ session_id: session.id, status: "active" });
    await owner.activity.setStatus({ activity_id: poll.id, status: "active" });
    const ids = { session_id: session.id, activity_id: poll.id };
    const voter = h.caller((await h.caller().participant.join({ join_code: session.join_code, nickname: "v" })).token);
    const first = await voter.response.submit({ ...ids, response_data: { selected_options: ["pizza"] } });
    await owner.response.remove({ ...ids, response_id: first.id });
    expect((await owner.activity.status(ids)).response_count).toBe(0);

    const second = await voter.response.submit({ ...ids, response_data: { selected_options: ["sushi"] } });
    expect(second.id).not.toBe(first.id);
    expect((await owner.activity.status(ids)).response_count).toBe(1);
    const again = await voter.response.submit({ ...ids, response_data: { selected_options: ["pizza"] } });
    expect(again.id).toBe(second.id);
    expect((await owner.activity.status(ids)).response_count).toBe(1);
  });

  it("keeps the count exact when many responses are deleted at once", async () => {
    const { ids, people, ask, owner } = await liveQa(h, 20);
    const entries = [];
    for (const p of people) entries.push(await ask(p, `Question of ${p.id}`));
    await Promise.all(entries.slice(0, 15).map((response_id) => owner.response.remove({ ...ids, response_id })));
    expect((await owner.activity.status(ids)).response_count).toBe(5);
    const [counters] = await queryRows<{ negative: number | string }>(
      h.db.db,
      sql`select count(*) filter (where response_count < 0) as negative from activity_response_counters
           where activity_id = ${ids.activity_id}`,
    );
    expect(Number(counters?.negative)).toBe(0);
  });
});
