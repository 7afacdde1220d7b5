import { sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { submitResponse } from "../src/services/responses";
import { createApiHarness, type ApiHarness } from "./harness";

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

describe("GET .../responses/since/{timestamp} under concurrent writers", () => {
  it("a cursor-following poller ends with the committed set, each version exactly once", async () => {
    const admin = h.caller(h.adminToken("owner"));
    const session = await admin.session.create({ title: "Concurrency" });
    const activity = await admin.activity.create({ session_id: session.id, type: "custom", title: "Words" });
    await admin.session.setStatus({ session_id: session.id, status: "active" });
    await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
    const participants = [];
    for (let i = 0; i < WRITERS; i++) {
      participants.push((await h.caller().participant.join({ join_code: session.join_code, nickname: `w${i}` })).participant);
    }

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

    const received = new Map<string, { participant: number; version: number }>();
    const seenVersions = new Set<string>();
    let duplicates = 0;
    let regressions = 0;
    let cursor: string | undefined;
    const poll = async () => {
      for (;;) {
        const page = await admin.response.feed({
          session_id: session.id,
          activity_id: activity.id,
          timestamp: "1970-01-01T00:00:00.000Z",
          cursor,
          limit: 7,
        });
        for (const item of page.items.filter(isFeedResponse)) {
          const data = item.response_data as { participant: number; version: number };
          const key = `${item.id}@${data.version}`;
          if (seenVersions.has(key)) duplicates++;
          seenVersions.add(key);
          const previous = received.get(item.id);
          if (previous && previous.version >= data.version) regressions++;
          received.set(item.id, data);
        }
        cursor = page.next_cursor;
        if (!page.has_more) return;
      }
    };

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
    expect(duplicates).toBe(0);
    expect(regressions).toBe(0);
    expect(received.size).toBe(WRITERS);
    for (const row of committed) {
      expect(received.get(row.id)).toEqual(row.responseData);
      expect(row.responseData).toMatchObject({ version: ROUNDS });
    }
    const status = await admin.activity.status({ session_id: session.id, activity_id: activity.id });
    expect(status.response_count).toBe(WRITERS);
  });
});
