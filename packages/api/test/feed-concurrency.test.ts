import { sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { cacheKeys } from "../src/services/cache-keys";
import { submitResponse } from "../src/services/responses";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveActivity } from "./live-activity";

/**
 * The feed's promise: a poller that follows `next_cursor` while many writers
 * insert and edit ends up with exactly the committed set, each version once.
 * On PostgreSQL the writers hold their transactions open for a random while
 * after writing, so transactions that took their txid early commit late: the
 * case that loses rows with a timestamp or a plain sequence.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const WRITERS = 12;
const ROUNDS = 6;
/** The writers' nicknames: w0 … w11. */
const writerNicknames = () => Array.from({ length: WRITERS }, (_, i) => `w${i}`);

describe("GET .../responses/since/{timestamp} under concurrent writers", () => {
  it("a cursor-following poller ends with the committed set, each version exactly once", async () => {
    const { admin, session, activity, ids, joined } = await liveActivity(h, "Concurrency", writerNicknames());
    const participants = joined.map((j) => j.participant);

    const slowWrites = h.db.driver === "postgres";
    const writer = async (participantId: number) => {
      for (let round = 1; round <= ROUNDS; round++) {
        const data = { participant: participantId, version: round };
        if (slowWrites) {
          await h.db.db.transaction(async (tx) => {
            await submitResponse({ ...h.deps, db: tx }, { sessionId: session.id, activityId: activity.id, participantId, data });
            // Hold the transaction (and its early txid) open while later ones commit.
            await tx.execute(sql`select pg_sleep(${Math.random() * 0.08})`);
          });
        } else {
          await submitResponse(h.deps, { sessionId: session.id, activityId: activity.id, participantId, data });
        }
      }
    };

    const { latest: received, counts, poll } = follower(admin, ids, true, 7);

    let writing = true;
    const poller = (async () => {
      while (writing) {
        await poll();
        await new Promise((r) => setTimeout(r, 5));
      }
    })();
    await Promise.all(participants.map((p) => writer(p.id)));
    writing = false;
    await poller;
    // Let the feed-head cache expire, then drain what became visible.
    await new Promise((r) => setTimeout(r, 800));
    await poll();

    const committed = await h.db.db.query.userResponses.findMany({ where: (r, { eq }) => eq(r.activityId, activity.id) });
    expect(committed).toHaveLength(WRITERS);
    expect(counts.duplicates).toBe(0);
    expect(counts.regressions).toBe(0);
    expect(received.size).toBe(WRITERS);
    for (const row of committed) {
      expect(received.get(row.id)).toEqual(row.responseData);
      expect(row.responseData).toMatchObject({ version: ROUNDS });
    }
    const status = await admin.activity.status({ session_id: session.id, activity_id: activity.id });
    expect(status.response_count).toBe(WRITERS);
  });
});

/**
 * One presenter per way of following: by next_cursor only, and by the newest
 * updated_at seen (next_cursor only while has_more, as the bench's timestamp
 * presenter). Each keeps the latest version of every id and counts a version
 * delivered twice or older than one it already had.
 */
function follower(
  who: ReturnType<ApiHarness["caller"]>,
  ids: { session_id: number; activity_id: string },
  byCursor: boolean,
  limit = 3,
) {
  const latest = new Map<string, { participant: number; version: number }>();
  const seen = new Set<string>();
  const counts = { duplicates: 0, regressions: 0 };
  let newest = "1970-01-01T00:00:00.000Z";
  let cursor: string | undefined;
  const poll = async () => {
    for (;;) {
      const page = await who.response.feed({
        ...ids,
        timestamp: byCursor ? "1970-01-01T00:00:00.000Z" : newest,
        cursor,
        limit,
      });
      for (const item of page.items.filter(isFeedResponse)) {
        const data = item.response_data as { participant: number; version: number };
        const key = `${item.id}@${data.version}`;
        if (seen.has(key)) counts.duplicates++;
        seen.add(key);
        if ((latest.get(item.id)?.version ?? 0) >= data.version) counts.regressions++;
        else latest.set(item.id, data);
        if (item.updated_at > newest) newest = item.updated_at;
      }
      cursor = byCursor || page.has_more ? page.next_cursor : undefined;
      if (!page.has_more) return;
    }
  };
  return { latest, counts, poll };
}

describe("GET .../responses/since/{timestamp} under writers that start early and commit late", () => {
  it("a poller by cursor and one by timestamp both end with the committed set, each version once", async () => {
    const { admin, session, activity, ids, joined } = await liveActivity(h, "Late writers", writerNicknames());
    const participants = joined.map((j) => j.participant);

    const slowWrites = h.db.driver === "postgres";
    const writer = async (participantId: number, index: number) => {
      for (let round = 1; round <= ROUNDS; round++) {
        const data = { participant: participantId, version: round };
        const write = { sessionId: session.id, activityId: activity.id, participantId, data };
        if (slowWrites && index % 3 !== 0) {
          await h.db.db.transaction(async (tx) => {
            // The stamp is the transaction's start: taken now, written and committed later,
            // after other writers that started later have committed.
            await tx.execute(sql`select pg_sleep(${Math.random() * 0.04})`);
            await submitResponse({ ...h.deps, db: tx, inTransaction: true }, write);
            await tx.execute(sql`select pg_sleep(${Math.random() * 0.04})`);
          });
          await h.deps.cache.invalidate([cacheKeys.feedHead(activity.id)]);
        } else {
          await submitResponse(h.deps, write);
        }
      }
    };

    const byCursor = follower(admin, ids, true);
    const byTimestamp = follower(admin, ids, false);
    let writing = true;
    const pollers = [byCursor, byTimestamp].map(async (f) => {
      while (writing) {
        await f.poll();
        await new Promise((r) => setTimeout(r, 3));
      }
    });
    await Promise.all(participants.map((p, i) => writer(p.id, i)));
    writing = false;
    await Promise.all(pollers);
    await h.feedSettled();
    // Past the feed-head cache's TTL, then drain what became visible.
    await new Promise((r) => setTimeout(r, 300));
    await byCursor.poll();
    await byTimestamp.poll();

    const committed = await h.db.db.query.userResponses.findMany({ where: (r, { eq }) => eq(r.activityId, activity.id) });
    expect(committed).toHaveLength(WRITERS);
    for (const f of [byCursor, byTimestamp]) {
      expect(f.counts).toEqual({ duplicates: 0, regressions: 0 });
      expect(new Map(committed.map((row) => [row.id, row.responseData]))).toEqual(f.latest);
    }
  });
});
