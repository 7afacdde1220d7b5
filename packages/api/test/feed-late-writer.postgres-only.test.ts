import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { cacheKeys } from "../src/services/cache-keys";
import { submitResponse } from "../src/services/responses";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveActivity } from "./live-activity";

/**
 * A writer's updated_at is its transaction's start. A writer that started early
 * and commits after a later one has committed (and been seen) carries the older
 * stamp: a poller that asks `since` the newest updated_at it has seen must still
 * get it. (The bench lost 2 of 10,000 answers this way.) A second connection
 * holds the early transaction open: PostgreSQL only.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const BEGINNING = "2000-01-01T00:00:00.000Z";
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
type Caller = ReturnType<ApiHarness["caller"]>;
type Ids = { session_id: number; activity_id: string };

/**
 * The bench's timestamp presenter: asks `since` the newest updated_at it has seen,
 * and follows next_cursor only while has_more.
 */
function timestampFollower(who: Caller, ids: Ids, limit: number) {
  const latest = new Map<string, unknown>();
  let newest = BEGINNING;
  let cursor: string | undefined;
  return {
    latest,
    async poll() {
      for (;;) {
        const page = await who.response.feed({ ...ids, timestamp: newest, cursor, limit });
        for (const item of page.items.filter(isFeedResponse)) {
          latest.set(item.id, item.response_data);
          if (item.updated_at > newest) newest = item.updated_at;
        }
        cursor = page.has_more ? page.next_cursor : undefined;
        if (!page.has_more) return;
      }
    },
  };
}

/** True once the row's writer is below the cluster's xmin: the transaction-id order would show it. */
async function belowXmin(id: string) {
  const [row] = await queryRows<{ below: boolean }>(
    h.db.db,
    sql`select txid < pg_snapshot_xmin(pg_current_snapshot()) as below from user_responses where id = ${id}`,
  );
  return row?.below === true;
}

describe("GET .../responses/since/{timestamp} with a writer that started early and committed late", () => {
  it.each([100, 1])("a poller by timestamp (limit %i) gets both answers", async (limit) => {
    const room = await liveActivity(h, "Late writer", ["early", "later", "third"]);
    const [early, later, third] = room.joined as [(typeof room.joined)[0], (typeof room.joined)[0], (typeof room.joined)[0]];
    const follower = timestampFollower(room.admin, room.ids, limit);
    let seenWhileOpen = false;
    let laterId = "";

    await h.db.db.transaction(async (tx) => {
      const [now] = await queryRows<{ started: string }>(tx, sql`select now()::text as started`);
      if (!now) throw new Error("select now() answered no row");
      // Two writers that start (and commit) strictly later, at millisecond precision.
      for (;;) {
        const answer = await h.caller(later.token).response.submit({ ...room.ids, response_data: { n: 2 } });
        laterId = answer.id;
        if (Date.parse(answer.updated_at) > Date.parse(now.started) + 1) break;
      }
      await h.caller(third.token).response.submit({ ...room.ids, response_data: { n: 3 } });
      // Poll until the transaction-id order would show the later answers (they are below xmin).
      for (const until = Date.now() + 10_000; ; await sleep(25)) {
        const below = await belowXmin(laterId);
        await follower.poll();
        if (below || Date.now() > until) break;
      }
      seenWhileOpen = follower.latest.has(laterId);
      // The early writer writes now, stamped with its start: before the answers above.
      await submitResponse(
        { ...h.deps, db: tx, inTransaction: true },
        { sessionId: room.session.id, activityId: room.activity.id, participantId: early.participant.id, data: { n: 1 } },
      );
    });
    // As the submit path does after its commit.
    await h.deps.cache.invalidate([cacheKeys.feedHead(room.activity.id)]);

    await h.feedSettled();
    for (const until = Date.now() + 5_000; follower.latest.size < 3 && Date.now() < until; await sleep(25)) {
      await follower.poll();
    }
    expect([...follower.latest.values()].toSorted((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual([
      { n: 1 },
      { n: 2 },
      { n: 3 },
    ]);
    // Held back while the early transaction was open: its rows could still come below them.
    expect(seenWhileOpen).toBe(false);
  });

  it("a poller following next_cursor gets the early answer after the later ones, once each", async () => {
    const room = await liveActivity(h, "Late writer", ["early", "later"]);
    const [early, later] = room.joined as [(typeof room.joined)[0], (typeof room.joined)[0]];
    const delivered: unknown[] = [];
    let cursor: string | undefined;
    const poll = async () => {
      for (;;) {
        const page = await room.admin.response.feed({ ...room.ids, timestamp: BEGINNING, cursor, limit: 1 });
        delivered.push(...page.items.filter(isFeedResponse).map((i) => i.response_data));
        cursor = page.next_cursor;
        if (!page.has_more) return;
      }
    };

    await h.db.db.transaction(async (tx) => {
      await tx.execute(sql`select now()`);
      await sleep(5);
      const answer = await h.caller(later.token).response.submit({ ...room.ids, response_data: { n: 2 } });
      for (const until = Date.now() + 10_000; !(await belowXmin(answer.id)) && Date.now() < until;) await sleep(25);
      await poll();
      await submitResponse(
        { ...h.deps, db: tx, inTransaction: true },
        { sessionId: room.session.id, activityId: room.activity.id, participantId: early.participant.id, data: { n: 1 } },
      );
    });
    await h.deps.cache.invalidate([cacheKeys.feedHead(room.activity.id)]);

    await h.feedSettled();
    for (const until = Date.now() + 5_000; delivered.length < 2 && Date.now() < until; await sleep(25)) await poll();
    expect(delivered).toEqual([{ n: 1 }, { n: 2 }]);
  });
});
