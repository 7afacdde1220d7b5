import type { Database } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ReadThroughCache, SeatCheck, toWireError, type ApiDeps } from "../src/index";
import type { ParticipantClaims } from "../src/auth/tokens";
import { removeParticipant } from "../src/services/participants";
import { deleteSession } from "../src/services/sessions";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom, type Room } from "./results-fixtures";

/**
 * The seat check on one instance, against the real database, counting the statements it
 * sends through a wrapper around the Database. The status cache's TTLs are long here, so
 * the count is the seat check's own: in production the session record it reads is the one
 * the guard and the status polls read anyway (one load per instance per TTL however many poll).
 * `now` is passed to stand for minutes of polling without waiting them.
 */
const MINUTE = 60_000;
let h: ApiHarness;

beforeAll(async () => {
  h = await createApiHarness();
});
afterAll(async () => h?.close());

/** The real database, counting every statement begun through it (the builders and raw SQL alike). */
function countingDatabase(db: Database): { db: Database; statements: () => number } {
  let statements = 0;
  const entryPoints = new Set<PropertyKey>(["select", "execute", "insert", "update", "delete", "transaction"]);
  const counted = new Proxy(db, {
    get(target, property, receiver) {
      const value: unknown = Reflect.get(target, property, receiver);
      if (!entryPoints.has(property) || typeof value !== "function") return value;
      return (...args: unknown[]) => {
        statements++;
        return (value as (...a: unknown[]) => unknown).apply(target, args);
      };
    },
  });
  return { db: counted, statements: () => statements };
}

/** One instance: its own status cache and seat check, every statement counted. */
function instance() {
  const counting = countingDatabase(h.deps.db);
  const cache = new ReadThroughCache({ localTtlMs: 10 * MINUTE, sharedTtlMs: 10 * MINUTE, minRefreshMs: 0, maxStaleMs: 0 });
  const seats = new SeatCheck({ db: counting.db, cache });
  // What a write through this instance uses: its removal invalidates this instance's status record.
  const deps: ApiDeps = { ...h.deps, db: h.deps.db, cache, seats };
  return { seats, deps, statements: counting.statements };
}

const claimsOf = (token: string): ParticipantClaims => {
  const claims = h.deps.tokens.verify(token);
  if (claims.role !== "participant") throw new Error("a participant token");
  return claims;
};
// A seat known held is answered synchronously (no promise): both kinds of answer are taken.
const outcome = (check: void | Promise<void>) =>
  Promise.resolve(check).then(
    () => "seated",
    (error: unknown) => toWireError(error).body.error.code,
  );
const everyone = (room: Room) => room.people.map((p) => claimsOf(p.token));

/** Each seat confirmed by the database, then read once more, which loads each session's status record. */
async function settle(seats: SeatCheck, claims: ParticipantClaims[], now: number): Promise<void> {
  for (const c of claims) await seats.assertSeated(c, false, now);
  for (const c of claims) await seats.assertSeated(c, false, now);
}

describe("SeatCheck.assertSeated for reads", () => {
  it("asks nothing in the steady state (minutes of polls by a room after each seat was confirmed once); a write still asks", async () => {
    const room = await openRoom(h, 20);
    const { seats, statements } = instance();
    const start = Date.now();
    await settle(seats, everyone(room), start);
    const confirmed = statements();
    for (const later of [10_000, MINUTE, 4 * MINUTE]) {
      const outcomes = await Promise.all(everyone(room).map((c) => outcome(seats.assertSeated(c, false, start + later))));
      expect(outcomes.every((o) => o === "seated")).toBe(true);
    }
    expect(statements() - confirmed).toBe(0);
    // A write still asks, every time: one primary-key read each.
    const [first] = everyone(room);
    if (!first) throw new Error("twenty participants");
    await seats.assertSeated(first, true, start + 4 * MINUTE);
    await seats.assertSeated(first, true, start + 4 * MINUTE);
    expect(statements() - confirmed).toBe(2);
  });

  it("after a kick, re-checks the session's seats with one query for the session, not one per participant", async () => {
    const room = await openRoom(h, 20);
    const bystanders = await openRoom(h, 5);
    const { seats, deps, statements } = instance();
    const start = Date.now();
    await settle(seats, [...everyone(room), ...everyone(bystanders)], start);
    const [kicked] = room.people;
    if (!kicked) throw new Error("twenty participants");
    // The removal moves seats_revision; this instance does not `forget` (it stands for every other instance).
    await removeParticipant(deps, room.sessionId, kicked.id);
    const before = statements();
    const outcomes = await Promise.all(
      [...everyone(room), ...everyone(bystanders)].map((c) => outcome(seats.assertSeated(c, false, start + 1_000))),
    );
    expect(outcomes).toEqual(["PARTICIPANT_REMOVED", ...Array<string>(24).fill("seated")]);
    // The room's status record reloads (the kick invalidated it) and its removed participants are read: two in all.
    expect(statements() - before).toBe(2);
    // Still refused, and everyone else still seated, with nothing more asked of the room.
    const again = await Promise.all(everyone(room).map((c) => outcome(seats.assertSeated(c, false, start + 2_000))));
    expect(again).toEqual(["PARTICIPANT_REMOVED", ...Array<string>(19).fill("seated")]);
  });

  it("a participant of a deleted session gets 404 for the session at once, even with its seat confirmed", async () => {
    const room = await openRoom(h, 2);
    const { seats, deps } = instance();
    const [ada] = everyone(room);
    if (!ada) throw new Error("two participants");
    const now = Date.now();
    await seats.assertSeated(ada, false, now);
    await deleteSession(deps, room.sessionId);
    const refused = await Promise.resolve(seats.assertSeated(ada, false, now)).then(
      () => null,
      (error: unknown) => toWireError(error).body.error,
    );
    expect(refused).toMatchObject({ code: "NOT_FOUND", message: "Session not found" });
  });
});
