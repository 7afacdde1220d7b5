import { sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { cacheKeys } from "../src/services/cache-keys";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveActivity } from "./live-activity";

/**
 * The spec's timestamp feed without a cursor, as the seed frontend polls it:
 * `responses/since/{the newest updated_at it has seen}`. Answered from the
 * cached feed head when nothing visible was updated after the timestamp.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const ms = (iso: string, delta: number) => new Date(Date.parse(iso) + delta).toISOString();

async function openRoom(participants: number) {
  const nicknames = Array.from({ length: participants }, (_, i) => `p${i}`);
  const { admin, ids, joined } = await liveActivity(h, "Timestamps", nicknames);
  const tokens = joined.map((j) => j.token);
  /** The answers' `n` in one timestamp poll, as `who` sees them. */
  const since = async (timestamp: string, who = admin) =>
    (await who.response.feed({ ...ids, timestamp, limit: 100 })).items
      .filter(isFeedResponse)
      .map((i) => (i.response_data as { n: number }).n);
  return {
    admin,
    tokens,
    ids,
    since,
    /** Submits, then waits (boundedly) until the feed shows it: once every transaction of the database that started before it has ended. */
    submit: async (token: string, n: number) => {
      const answer = await h.caller(token).response.submit({ ...ids, response_data: { n } });
      for (const until = Date.now() + 10_000; Date.now() < until; await new Promise((r) => setTimeout(r, 25))) {
        if ((await since(ms(answer.updated_at, -1))).includes(n)) break;
      }
      return answer;
    },
  };
}

/** Submits until the answer's updated_at is later than `after` (updated_at has millisecond precision). */
async function submitAfter(room: Awaited<ReturnType<typeof openRoom>>, token: string, n: number, after: string) {
  for (;;) {
    const answer = await room.submit(token, n);
    if (answer.updated_at > after) return answer;
  }
}

describe("GET .../responses/since/{timestamp} without a cursor", () => {
  it("returns only the answers updated after the timestamp", async () => {
    const room = await openRoom(2);
    const [t0, t1] = room.tokens as [string, string];
    const first = await room.submit(t0, 1);
    const second = await submitAfter(room, t1, 2, first.updated_at);

    expect(await room.since("2000-01-01T00:00:00.000Z")).toEqual([1, 2]);
    expect(await room.since(first.updated_at)).toEqual([2]);
    expect(await room.since(ms(second.updated_at, -1))).toEqual([2]);
  });

  it("is empty at or after the newest update, and shows the next update", async () => {
    const room = await openRoom(2);
    const [t0, t1] = room.tokens as [string, string];
    await room.submit(t0, 1);
    const newest = await room.submit(t1, 2);

    expect(await room.since(newest.updated_at)).toEqual([]);
    expect(await room.since(ms(newest.updated_at, 60_000))).toEqual([]);

    await submitAfter(room, t0, 3, newest.updated_at);
    expect(await room.since(newest.updated_at)).toEqual([3]);
  });

  it("shows a participant only their own answers", async () => {
    const room = await openRoom(2);
    const [t0, t1] = room.tokens as [string, string];
    const mine = await room.submit(t0, 1);
    const theirs = await submitAfter(room, t1, 2, mine.updated_at);
    const me = h.caller(t0);

    expect(await room.since("2000-01-01T00:00:00.000Z", me)).toEqual([1]);
    // Behind the activity's newest update, but nothing of mine is newer.
    expect(await room.since(mine.updated_at, me)).toEqual([]);
    expect(await room.since(theirs.updated_at, me)).toEqual([]);
  });

  it("never ends a page inside a millisecond: a poller by the newest updated_at alone loses none of it", async () => {
    const room = await openRoom(5);
    for (const [n, token] of room.tokens.entries()) await room.submit(token, n);
    // Writers that start in one millisecond, which a test cannot arrange: answers 0-2 share one, 3-4 the next.
    await h.db.db.execute(sql`
      update user_responses
         set updated_at = date_trunc('milliseconds', now()) - interval '1 second'
                          + case when (response_data->>'n')::int < 3 then interval '0' else interval '1 millisecond' end
       where activity_id = ${room.ids.activity_id}`);
    await h.deps.cache.invalidate([cacheKeys.feedHead(room.ids.activity_id)]);
    const page = (timestamp: string, limit: number) => room.admin.response.feed({ ...room.ids, timestamp, limit });
    // Within a millisecond the order is by id (random): compared as sets.
    const ns = (p: Awaited<ReturnType<typeof page>>) =>
      p.items
        .filter(isFeedResponse)
        .map((i) => (i.response_data as { n: number }).n)
        .toSorted();

    // Four would split the second millisecond: the page ends before it.
    const four = await page("2000-01-01T00:00:00.000Z", 4);
    expect({ n: ns(four), more: four.has_more }).toEqual({ n: [0, 1, 2], more: true });
    // Two would split the first, and nothing precedes it in the page: the page holds all of it.
    const two = await page("2000-01-01T00:00:00.000Z", 2);
    expect({ n: ns(two), more: two.has_more }).toEqual({ n: [0, 1, 2], more: true });
    const newest = two.items.at(-1)?.updated_at ?? "";
    const rest = await page(newest, 2);
    expect({ n: ns(rest), more: rest.has_more }).toEqual({ n: [3, 4], more: false });
    expect(ns(await page(newest, 1))).toEqual([3, 4]);
    expect((await page(newest, 1)).has_more).toBe(true);
  });
});
