import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { toWireError } from "../src/index";
import type { FeedItem } from "../src/schemas/polling";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveQa } from "./qa-support";

/**
 * A moderated Q&A, as other participants see it: an entry they never saw (pending from the
 * start, then maybe rejected or deleted) leaves no trace in their feed, list, counts or
 * times; one they could see (approved once) is withdrawn with a tombstone. The cache keeps
 * values for a minute here, so a write that forgot to invalidate a key shows as a stale read.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness({ cacheTtlMs: 60_000 });
}, 60_000);
afterAll(async () => h?.close());

type Caller = ReturnType<ApiHarness["caller"]>;
type Ids = { session_id: number; activity_id: string };
const BEGINNING = "2000-01-01T00:00:00.000Z";

/** The whole feed from the beginning, once every committed write can show in it. */
async function everything(who: Caller, ids: Ids): Promise<FeedItem[]> {
  await h.feedSettled();
  const page = await who.response.feed({ ...ids, timestamp: BEGINNING, limit: 1000 });
  expect(page.has_more).toBe(false);
  return page.items;
}

const summary = (items: FeedItem[]) =>
  items.map((i) =>
    "deleted" in i ? ["gone", i.id, i.reason] : [(i.response_data as { question_text: string }).question_text, i.status],
  );

/** What a participant's status and results say of the activity, beyond the poll interval. */
async function seenBy(who: Caller, ids: Ids) {
  const status = await who.activity.status(ids);
  const results = await who.activity.results(ids);
  return {
    response_count: status.response_count,
    last_response_at: status.last_response_at,
    last_updated: status.last_updated,
    results_count: results.response_count,
    results_updated: results.last_updated,
    results: results.results,
  };
}

describe("a moderated Q&A: entries other participants never saw leave no trace", () => {
  it("an entry pending from the start is in its author's and the owner's feed only, and in no count or time of the others", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 3);
    const [ana, ben, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await ask(ana, "Public");
    await h.feedSettled();
    const before = await seenBy(cy.caller, ids);
    const secret = await ben.caller.response.submit({ ...ids, response_data: { question_text: "Secret" } });
    expect(secret.status).toBe("pending");

    expect(summary(await everything(owner, ids))).toEqual([
      ["Public", "approved"],
      ["Secret", "pending"],
    ]);
    expect(summary(await everything(ben.caller, ids))).toEqual([
      ["Public", "approved"],
      ["Secret", "pending"],
    ]);
    expect(summary(await everything(cy.caller, ids))).toEqual([["Public", "approved"]]);
    expect(await seenBy(cy.caller, ids)).toEqual(before);
    expect((await owner.activity.status(ids)).response_count).toBe(2);
  });

  it("rejected or deleted before it was ever approved: still no trace; its author gets its status and the deletion", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 3);
    const [ana, ben, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await ask(ana, "Public");
    await h.feedSettled();
    const before = await seenBy(cy.caller, ids);
    const rejected = await ben.caller.response.submit({ ...ids, response_data: { question_text: "Rejected" } });
    const deleted = await ben.caller.response.submit({ ...ids, response_data: { question_text: "Deleted" } });
    await owner.response.moderate({ ...ids, response_id: rejected.id, status: "rejected" });
    await owner.response.remove({ ...ids, response_id: deleted.id });

    const cysFeed = await everything(cy.caller, ids);
    expect(summary(cysFeed)).toEqual([["Public", "approved"]]);
    expect(JSON.stringify(cysFeed)).not.toContain(rejected.id);
    expect(JSON.stringify(cysFeed)).not.toContain(deleted.id);
    expect(await seenBy(cy.caller, ids)).toEqual(before);
    expect(summary(await everything(ben.caller, ids))).toEqual([
      ["Public", "approved"],
      ["Rejected", "rejected"],
      ["gone", deleted.id, "deleted"],
    ]);
  });

  it("approved and seen, then rejected or deleted: followers get a tombstone to drop it", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 3);
    const [, ben, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    const first = await ask(ben, "First");
    const second = await ask(ben, "Second");
    await h.feedSettled();
    const seen = await cy.caller.response.feed({ ...ids, timestamp: BEGINNING, limit: 100 });
    expect(summary(seen.items)).toEqual([
      ["First", "approved"],
      ["Second", "approved"],
    ]);
    await owner.response.moderate({ ...ids, response_id: first, status: "rejected" });
    await owner.response.remove({ ...ids, response_id: second });
    await h.feedSettled();
    const next = await cy.caller.response.feed({ ...ids, timestamp: BEGINNING, cursor: seen.next_cursor, limit: 100 });
    expect(summary(next.items)).toEqual([
      ["gone", first, "hidden"],
      ["gone", second, "deleted"],
    ]);
    // Set back to pending after it was seen: withdrawn the same way.
    const third = await ask(ben, "Third");
    await h.feedSettled();
    const third1 = await cy.caller.response.feed({ ...ids, timestamp: BEGINNING, cursor: next.next_cursor, limit: 100 });
    expect(summary(third1.items)).toEqual([["Third", "approved"]]);
    await owner.response.moderate({ ...ids, response_id: third, status: "pending" });
    await h.feedSettled();
    const third2 = await cy.caller.response.feed({ ...ids, timestamp: BEGINNING, cursor: third1.next_cursor, limit: 100 });
    expect(summary(third2.items)).toEqual([["gone", third, "hidden"]]);
  });

  it("a follower by timestamp gets the same empty page, byte for byte, whatever is pending", async () => {
    const { ids, people, ask } = await liveQa(h, 2);
    const [ana, cy] = people as [(typeof people)[0], (typeof people)[0]];
    await ask(ana, "Public");
    await h.feedSettled();
    const newest = (await cy.caller.response.feed({ ...ids, timestamp: BEGINNING, limit: 100 })).items.at(-1)?.updated_at;
    if (!newest) throw new Error("no entry");
    const idle = await cy.caller.response.feed({ ...ids, timestamp: newest, limit: 100 });
    await ana.caller.response.submit({ ...ids, response_data: { question_text: "Pending" } });
    await h.feedSettled();
    expect(await cy.caller.response.feed({ ...ids, timestamp: newest, limit: 100 })).toEqual(idle);
  });
});

describe("writes the next read must show (each mutation below fails one of these)", () => {
  it("a moderation decision invalidates the cached results and counts", async () => {
    const { owner, ids, people } = await liveQa(h, 2);
    const [ben, cy] = people as [(typeof people)[0], (typeof people)[0]];
    const entry = await ben.caller.response.submit({ ...ids, response_data: { question_text: "Now?" } });
    // Read (and so cached for a minute) before the decision.
    expect((await owner.activity.results(ids)).response_count).toBe(0);
    expect((await cy.caller.activity.status(ids)).response_count).toBe(0);
    await owner.response.moderate({ ...ids, response_id: entry.id, status: "approved" });
    expect((await owner.activity.results(ids)).response_count).toBe(1);
    expect((await cy.caller.activity.results(ids)).response_count).toBe(1);
    expect((await cy.caller.activity.status(ids)).response_count).toBe(1);
    await owner.response.moderate({ ...ids, response_id: entry.id, status: "rejected" });
    expect((await cy.caller.activity.results(ids)).response_count).toBe(0);
    expect((await cy.caller.activity.status(ids)).response_count).toBe(0);
  });

  it("a response write moves the cached feed head: the answer shows without waiting for the cache", async () => {
    const { owner, ids, people } = await liveQa(h, 1, { prompt: "Ask" });
    const ana = people[0] as (typeof people)[0];
    const idle = await owner.response.feed({ ...ids, timestamp: BEGINNING, limit: 100 });
    expect(idle.items).toEqual([]);
    await ana.caller.response.submit({ ...ids, response_data: { question_text: "Heads up" } });
    // Within the watermark (a row shows once older transactions have ended), not the cache's minute.
    await vi.waitFor(
      async () => {
        const page = await owner.response.feed({ ...ids, timestamp: BEGINNING, cursor: idle.next_cursor, limit: 100 });
        expect(summary(page.items)).toEqual([["Heads up", "approved"]]);
      },
      { timeout: 10_000, interval: 25 },
    );
  });

  it("min_responses_to_show counts approved entries only: pending and rejected ones do not", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 3);
    const [ana, ben, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await owner.activity.update({ ...ids, min_responses_to_show: 2 });
    await ask(ana, "Approved");
    const pending = await ben.caller.response.submit({ ...ids, response_data: { question_text: "Pending" } });
    const rejected = await cy.caller.response.submit({ ...ids, response_data: { question_text: "Rejected" } });
    await owner.response.moderate({ ...ids, response_id: rejected.id, status: "rejected" });
    const refusal = await cy.caller.activity.results(ids).catch((e: unknown) => toWireError(e));
    expect(refusal).toMatchObject({
      status: 403,
      body: { error: { code: "RESULTS_HIDDEN", details: { reason: "min_responses_to_show", min_responses_to_show: 2 } } },
    });
    expect((await owner.activity.results(ids)).response_count).toBe(1);
    await owner.response.moderate({ ...ids, response_id: pending.id, status: "approved" });
    expect((await cy.caller.activity.results(ids)).response_count).toBe(2);
  });
});
