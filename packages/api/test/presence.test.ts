import { inArray, participants, queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Presence } from "../src/services/presence";
import { cacheKeys } from "../src/services/cache-keys";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * Presence without waiting 30 s: rows are moved back in time with SQL (the window is PostgreSQL's `now()`),
 * and the throttle takes the touch's clock as an argument.
 */
let h: ApiHarness;
let sessionId: number;
let ids: number[];
let tokens: string[];
beforeAll(async () => {
  h = await createApiHarness();
  const admin = h.caller(h.adminToken());
  const session = await admin.session.create({ title: "Presence" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  const joined = [];
  for (const nickname of ["Ada", "Ben", "Cy"])
    joined.push(await h.caller().participant.join({ join_code: session.join_code, nickname }));
  sessionId = session.id;
  ids = joined.map((j) => j.participant.id);
  tokens = joined.map((j) => j.token);
}, 60_000);
afterAll(async () => h?.close());

const presences: Presence[] = [];
afterAll(async () => Promise.all(presences.map((p) => p.close())));
/** A Presence whose timer does not flush during a test unless asked to. */
const presence = (flushEveryMs = 3_600_000) => {
  const p = new Presence(h.db.db, flushEveryMs);
  presences.push(p);
  return p;
};

const lastSeenSecondsAgo = (who: number[], seconds: number) =>
  h.db.db
    .update(participants)
    .set({ lastSeenAt: sql`now() - make_interval(secs => ${seconds})` })
    .where(inArray(participants.id, who));

/** Each participant's age in seconds (null: never seen) and the transaction that last wrote its row. */
async function rows() {
  const found = await queryRows<{ id: number; age: number | string | null; xmin: string }>(
    h.db.db,
    sql`select id, extract(epoch from now() - last_seen_at) as age, xmin::text as xmin
          from participants where session_id = ${sessionId} order by id`,
  );
  return found.map((r) => ({ id: Number(r.id), age: r.age === null ? null : Number(r.age), xmin: r.xmin }));
}
/** The stored row of participant `id`; a test about it fails when there is none. */
async function rowOf(id: number | undefined) {
  const row = (await rows()).find((r) => r.id === id);
  if (!row) throw new Error(`participant ${String(id)} has no row`);
  return row;
}
/** Seen within the last 5 s: a row that was never seen is not. */
const seenNow = (row: { age: number | null }) => row.age !== null && row.age < 5;

const adminStatus = async () => {
  // The count is part of the cached status record: read it afresh.
  await h.deps.cache.invalidate([cacheKeys.sessionStatus(sessionId)]);
  return h.caller(h.adminToken()).session.status({ session_id: sessionId });
};
const onlineFlags = async () =>
  (await h.caller(h.adminToken()).participant.list({ session_id: sessionId })).items.map((p) => p.online);

describe("Presence (last_seen_at)", () => {
  it("writes every touched participant in one UPDATE per flush, and nobody else", async () => {
    const p = presence();
    await lastSeenSecondsAgo(ids, 3600);
    const [a, b] = ids as [number, number];
    p.touch(a);
    p.touch(b);
    await p.flush();
    const seen = await Promise.all(ids.map(rowOf));
    expect(seen.map(seenNow)).toEqual([true, true, false]);
    // One statement: both rows were written by the same transaction.
    expect(seen[0]?.xmin).toBe(seen[1]?.xmin);
  });

  it("writes a participant at most once per 10 s, whatever the number of polls", async () => {
    const p = presence();
    const [a] = ids as [number];
    const t0 = 1_000_000;
    p.touch(a, t0);
    await p.flush();
    await lastSeenSecondsAgo([a], 3600);
    p.touch(a, t0 + 9_999);
    await p.flush();
    expect(seenNow(await rowOf(a))).toBe(false);
    p.touch(a, t0 + 10_000);
    await p.flush();
    expect(seenNow(await rowOf(a))).toBe(true);
  });

  it("flushes by itself on its timer", async () => {
    const p = presence(20);
    const [, , c] = ids as [number, number, number];
    await lastSeenSecondsAgo([c], 3600);
    p.touch(c);
    await expect.poll(async () => seenNow(await rowOf(c)), { timeout: 5000 }).toBe(true);
  });
});

describe("active_participant_count and online", () => {
  it("count participants seen in the last 30 s, not those seen 35 s ago", async () => {
    const [a, b, c] = ids as [number, number, number];
    await lastSeenSecondsAgo([a], 35);
    await lastSeenSecondsAgo([b], 25);
    await lastSeenSecondsAgo([c], 3600);
    expect((await adminStatus()).active_participant_count).toBe(1);
    expect(await onlineFlags()).toEqual([false, true, false]);
  });

  it("a participant's own poll makes it active, and only it", async () => {
    await lastSeenSecondsAgo(ids, 3600);
    expect((await adminStatus()).active_participant_count).toBe(0);
    await h.caller(tokens[1]).session.status({ session_id: sessionId });
    await h.deps.presence.flush();
    expect((await adminStatus()).active_participant_count).toBe(1);
    expect(await onlineFlags()).toEqual([false, true, false]);
  });
});
