import { sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { cacheKeys } from "../src/services/cache-keys";
import { encodeCursor, NIL_UUID } from "../src/services/feed-cursor";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * Feed positions are transaction ids, and the counter crosses powers of ten
 * (99,999 -> 100,000; 999,999 -> 1,000,000) in the life of every cluster.
 * Ordered as text, "100000" sorts before "99999": a page straddling the
 * crossing comes back out of order, its last row is not its newest, and the
 * next page repeats rows (the bench saw 4 versions twice at 10,000
 * participants) or skips them, and a cached head ordered the same way stalls
 * the feed. A test cannot move the cluster's xid counter, so it sets the rows'
 * positions below every running transaction to straddle 100 instead.
 * Transaction order is what a kind-1 cursor (handed out before the stamp order)
 * follows: the walks start from one.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const STRADDLING = [98, 99, 100, 101, 102];

async function roomWithAnswers(count: number) {
  const admin = h.caller(h.adminToken("owner"));
  const session = await admin.session.create({ title: "Positions" });
  const activity = await admin.activity.create({ session_id: session.id, type: "custom", title: "Words" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const tokens: string[] = [];
  for (let i = 0; i < count; i++) {
    const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: `p${i}` });
    tokens.push(joined.token);
    await h.caller(joined.token).response.submit({ session_id: session.id, activity_id: activity.id, response_data: { n: i } });
  }
  return { admin, tokens, sessionId: session.id, activityId: activity.id };
}

/** Gives the answers the positions `txids`, in participant order: rows written around a power of ten. */
async function placeAt(activityId: string, txids: number[]) {
  await h.db.db.execute(sql`
    update user_responses u set txid = (${`{${txids.join(",")}}`}::bigint[])[o.n]::text::xid8
      from (select id, row_number() over (order by participant_id) as n from user_responses where activity_id = ${activityId}) o
     where u.id = o.id`);
  await h.deps.cache.invalidate([cacheKeys.feedHead(activityId)]);
}

type Room = Awaited<ReturnType<typeof roomWithAnswers>>;

/** A kind-1 cursor at the start of transaction order. */
const TXID_START = encodeCursor({ kind: "txid", txid: 0n, id: NIL_UUID, sinceMs: 0 });

/** Follows next_cursor until has_more is false; returns each delivered answer's `n`, in delivery order. */
async function follow(room: Room, limit: number, cursor: string = TXID_START) {
  const delivered: number[] = [];
  for (;;) {
    const page = await room.admin.response.feed({
      session_id: room.sessionId,
      activity_id: room.activityId,
      timestamp: "1970-01-01T00:00:00.000Z",
      cursor,
      limit,
    });
    delivered.push(...page.items.filter(isFeedResponse).map((item) => (item.response_data as { n: number }).n));
    cursor = page.next_cursor;
    if (!page.has_more) return { delivered, cursor };
  }
}

describe("GET .../responses/since/{timestamp} across a power of ten in transaction ids", () => {
  it.each([1, 2, 3, 4, 5, 6, 100])("with limit %i, a follower gets every answer once, in position order", async (limit) => {
    const room = await roomWithAnswers(STRADDLING.length);
    await placeAt(room.activityId, STRADDLING);

    const first = await follow(room, limit);
    const again = await follow(room, limit, first.cursor);

    expect([...first.delivered, ...again.delivered]).toEqual([0, 1, 2, 3, 4]);
  });

  it("an answer submitted after the follower reached the head is delivered", async () => {
    const room = await roomWithAnswers(STRADDLING.length);
    await placeAt(room.activityId, STRADDLING);
    const caughtUp = await follow(room, 100);
    expect(caughtUp.delivered.toSorted()).toEqual([0, 1, 2, 3, 4]);

    // A real transaction id now: more digits than the rows above, and larger.
    const [late] = room.tokens;
    await h.caller(late).response.submit({ session_id: room.sessionId, activity_id: room.activityId, response_data: { n: 5 } });

    // It shows once every older writing transaction of the cluster has ended: wait for that, boundedly.
    const delivered: number[] = [];
    let cursor = caughtUp.cursor;
    for (const until = Date.now() + 10_000; delivered.length === 0 && Date.now() < until;) {
      const next = await follow(room, 100, cursor);
      delivered.push(...next.delivered);
      cursor = next.cursor;
      if (delivered.length === 0) await new Promise((r) => setTimeout(r, 25));
    }
    expect(delivered).toEqual([5]);
  });
});
