import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWireError } from "../src/index";
import type { FeedItem } from "../src/schemas/polling";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveQa } from "./qa-support";

/** Moderation: who sees which entry, in the response list and in the feed (by cursor and by timestamp). */
let h: ApiHarness;
beforeAll(async () => {
  // Cached entries outlive every test: a moderation change that did not invalidate one stays visible.
  h = await createApiHarness({ cacheTtlMs: 10 * 60_000 });
}, 60_000);
afterAll(async () => h?.close());

type Caller = ReturnType<ApiHarness["caller"]>;
const BEGINNING = "2000-01-01T00:00:00.000Z";

async function listed(who: Caller, ids: { session_id: number; activity_id: string }) {
  const page = await who.response.list({ ...ids, limit: 100, offset: 0 });
  expect(page.total).toBe(page.items.length);
  return page.items.map((r) => [r.response_data, r.status]);
}

/**
 * Reads the feed from `cursor` to its end, once every committed write can show in it (a write enters
 * the feed once every transaction of its database that started before it has ended): one pass, no
 * retries, so what the feed's cached head holds is what the follower gets.
 */
async function follow(who: Caller, ids: { session_id: number; activity_id: string }, cursor?: string) {
  await h.feedSettled();
  const items: FeedItem[] = [];
  for (;;) {
    const page = await who.response.feed({ ...ids, timestamp: BEGINNING, cursor, limit: 100 });
    items.push(...page.items);
    cursor = page.next_cursor;
    if (!page.has_more) return { items, cursor };
  }
}

const summary = (items: FeedItem[]) =>
  items.map((i) =>
    "deleted" in i ? ["gone", i.id, i.reason] : [(i.response_data as { question_text: string }).question_text, i.status],
  );

describe("PATCH .../responses/{response_id}/moderation on a moderated Q&A", () => {
  it("pending entries are seen by their author and the owner only; approved ones by everyone", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 3);
    const [ana, ben, cy] = people as [(typeof people)[0], (typeof people)[0], (typeof people)[0]];
    await ask(ana, "Ana approved");
    await ask(ben, "Ben pending", "pending");

    expect(await listed(owner, ids)).toEqual([
      [{ question_text: "Ana approved" }, "approved"],
      [{ question_text: "Ben pending" }, "pending"],
    ]);
    expect(await listed(ben.caller, ids)).toEqual([
      [{ question_text: "Ana approved" }, "approved"],
      [{ question_text: "Ben pending" }, "pending"],
    ]);
    expect(await listed(cy.caller, ids)).toEqual([[{ question_text: "Ana approved" }, "approved"]]);

    // Ben's pending entry leaves Cy no trace, not even a tombstone (moderation-no-trace.test.ts).
    expect(summary((await follow(cy.caller, ids)).items)).toEqual([["Ana approved", "approved"]]);
    expect(summary((await follow(ben.caller, ids)).items)).toEqual([
      ["Ana approved", "approved"],
      ["Ben pending", "pending"],
    ]);
  });

  it("approving shows the entry to a follower; rejecting tells the follower to drop it", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 2);
    const [ana, ben] = people as [(typeof people)[0], (typeof people)[0]];
    const id = await ask(ana, "Is it on?", "pending");
    let { cursor } = await follow(ben.caller, ids);

    const approved = await owner.response.moderate({ ...ids, response_id: id, status: "approved" });
    expect(approved).toMatchObject({ id, status: "approved", vote_count: 0, response_data: { question_text: "Is it on?" } });
    let next = await follow(ben.caller, ids, cursor);
    expect(summary(next.items)).toEqual([["Is it on?", "approved"]]);
    cursor = next.cursor;
    expect(await listed(ben.caller, ids)).toEqual([[{ question_text: "Is it on?" }, "approved"]]);

    await owner.response.moderate({ ...ids, response_id: id, status: "rejected" });
    next = await follow(ben.caller, ids, cursor);
    expect(summary(next.items)).toEqual([["gone", id, "hidden"]]);
    expect(await listed(ben.caller, ids)).toEqual([]);
    // The author and the owner still see it, with its status.
    expect(await listed(ana.caller, ids)).toEqual([[{ question_text: "Is it on?" }, "rejected"]]);
    expect(summary((await follow(owner, ids)).items)).toEqual([["Is it on?", "rejected"]]);
  });

  it("a follower polling by timestamp learns of the rejection too", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 2);
    const [ana, ben] = people as [(typeof people)[0], (typeof people)[0]];
    const id = await ask(ana, "Timestamped");
    const seen = await follow(ben.caller, ids);
    const newest = seen.items.at(-1)?.updated_at ?? BEGINNING;
    await owner.response.moderate({ ...ids, response_id: id, status: "rejected" });
    await h.feedSettled();
    const after = await ben.caller.response.feed({ ...ids, timestamp: newest, limit: 100 });
    expect(summary(after.items)).toEqual([["gone", id, "hidden"]]);
  });

  it("setting the status an entry already has changes nothing", async () => {
    const { owner, ids, people, ask } = await liveQa(h, 1);
    const id = await ask(people[0] as (typeof people)[0], "Same");
    const before = await owner.response.moderate({ ...ids, response_id: id, status: "approved" });
    const again = await owner.response.moderate({ ...ids, response_id: id, status: "approved" });
    expect(again).toEqual(before);
  });

  it("answers 404 for an unknown response and for a response of another activity", async () => {
    const { owner, ids } = await liveQa(h, 0);
    const other = await liveQa(h, 1);
    const foreign = await other.ask(other.people[0] as (typeof other.people)[0], "Elsewhere");
    for (const response_id of ["00000000-0000-4000-8000-000000000000", foreign]) {
      const error = await owner.response.moderate({ ...ids, response_id, status: "approved" }).catch((e: unknown) => e);
      expect(toWireError(error).status).toBe(404);
    }
  });

  it("keeps a poll's answers private: participants list only their own", async () => {
    const owner = h.caller(h.adminToken("host"));
    const session = await owner.session.create({ title: "Lunch" });
    const poll = await owner.activity.create({
      session_id: session.id,
      type: "poll",
      title: "Lunch?",
      config: { question: "Lunch?", options: ["pizza", "sushi"] },
    });
    await owner.session.setStatus({ session_id: session.id, status: "active" });
    await owner.activity.setStatus({ activity_id: poll.id, status: "active" });
    const ids = { session_id: session.id, activity_id: poll.id };
    const callers = [];
    for (const nickname of ["a", "b"]) {
      const joined = await h.caller().participant.join({ join_code: session.join_code, nickname });
      callers.push(h.caller(joined.token));
      await h.caller(joined.token).response.submit({ ...ids, response_data: { selected_options: ["pizza"] } });
    }
    for (const who of callers) {
      expect((await who.response.list({ ...ids, limit: 10, offset: 0 })).total).toBe(1);
      expect((await follow(who, ids)).items).toHaveLength(1);
    }
    expect((await owner.response.list({ ...ids, limit: 10, offset: 0 })).total).toBe(2);
  });
});
