import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWireError } from "../src/errors";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom, type Room } from "./results-fixtures";

/**
 * Issue 10: a submission racing the activity's completion either commits before it
 * (and is counted) or is refused with ACTIVITY_NOT_ACTIVE, never commits after it;
 * one racing its deletion succeeds before it (and goes with it) or is a 404 naming
 * the activity. Real PostgreSQL, many submits at once against one close, repeated.
 */
const PEOPLE = 24;
const ROUNDS = 25;

let h: ApiHarness;
let room: Room;

beforeAll(async () => {
  h = await createApiHarness();
  room = await openRoom(h, PEOPLE);
  // A witness, not part of the product: at each submitting transaction's commit (a deferred
  // trigger runs just before it) it notes the activity's status. While the submission may
  // still commit, it must find the activity active.
  await h.db.db.execute(
    sql.raw(`
    create table late_commits (response_id uuid, activity_status text);
    create function note_late_commit() returns trigger language plpgsql as $$
    begin
      if (select status from activities where id = new.activity_id) is distinct from 'active' then
        insert into late_commits values (new.id, coalesce((select status from activities where id = new.activity_id), 'deleted'));
      end if;
      return null;
    end $$;
    create constraint trigger late_commit after insert or update on user_responses
      deferrable initially deferred for each row execute function note_late_commit();
  `),
  );
}, 120_000);
afterAll(async () => h?.close());

type Outcome = { ok: true; id: string } | { ok: false; code: string; message: string; details: unknown };

const submitAll = (activityId: string, round: number, people = room.people) =>
  people.map((p, i): Promise<Outcome> =>
    p.caller.response.submit({ session_id: room.sessionId, activity_id: activityId, response_data: { round, i } }).then(
      (r) => ({ ok: true, id: r.id }),
      (error: unknown) => {
        const { error: wire } = toWireError(error).body;
        return { ok: false, code: wire.code, message: wire.message, details: wire.details };
      },
    ),
  );

/** Lets a few submissions start before the close is sent: the race is in the middle of the burst. */
const soon = () => new Promise((resolve) => setTimeout(resolve, Math.random() * 6));

describe("submit racing complete and delete", () => {
  it("a submission commits before the completion or is refused ACTIVITY_NOT_ACTIVE; never after", async () => {
    const refusals = new Map<string, number>();
    let applied = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const activityId = await room.activity("custom", {});
      // Half the room sends before the close, half just after it is sent: whichever is faster on
      // this machine, submissions meet the close from both sides.
      const half = PEOPLE / 2;
      const early = submitAll(activityId, round, room.people.slice(0, half));
      await soon();
      const completed = room.owner.activity.setStatus({ activity_id: activityId, status: "completed" });
      await soon();
      const late = submitAll(activityId, round, room.people.slice(half));
      const racing = await Promise.all([...early, ...late]);
      await completed;
      // One more once the close has answered: on a busy machine every racing submission may land
      // before the close (its statements queue behind theirs), so the refusal side is sent for sure.
      const [after] = await Promise.all(submitAll(activityId, round, room.people.slice(0, 1)));
      expect(after).toMatchObject({ ok: false, code: "ACTIVITY_NOT_ACTIVE" });
      const outcomes = after ? [...racing, after] : racing;

      const stored = await queryRows<{ id: string }>(
        h.db.db,
        sql`select id from user_responses where activity_id = ${activityId}`,
      );
      const ids = new Set(stored.map((r) => r.id));
      for (const o of outcomes) {
        if (o.ok) {
          applied++;
          expect(ids.has(o.id)).toBe(true);
        } else {
          refusals.set(o.code, (refusals.get(o.code) ?? 0) + 1);
          expect(o.code).toBe("ACTIVITY_NOT_ACTIVE");
        }
      }
      expect(stored.length).toBe(outcomes.filter((o) => o.ok).length);
    }
    const late = await queryRows<{ response_id: string; activity_status: string }>(h.db.db, sql`select * from late_commits`);
    console.log(
      `complete race: ${applied} applied, refused ${JSON.stringify(Object.fromEntries(refusals))}, ${late.length} committed after completion`,
    );
    expect(late).toEqual([]);
    // Both sides were exercised: submissions applied before the close, and refused after it.
    expect(applied).toBeGreaterThan(0);
    expect(refusals.get("ACTIVITY_NOT_ACTIVE") ?? 0).toBeGreaterThan(0);
  }, 120_000);

  it("a submission racing the activity's deletion succeeds before it (and goes with it) or is 404 naming the activity", async () => {
    const refusals = new Map<string, number>();
    for (let round = 0; round < ROUNDS; round++) {
      const activityId = await room.activity("custom", {});
      const submits = submitAll(activityId, round);
      await soon();
      const deleted = room.owner.activity.delete({ session_id: room.sessionId, activity_id: activityId });
      const outcomes = await Promise.all(submits);
      await deleted;
      for (const o of outcomes) {
        if (o.ok) continue;
        refusals.set(`${o.code}: ${o.message}`, (refusals.get(`${o.code}: ${o.message}`) ?? 0) + 1);
        expect({ code: o.code, message: o.message, details: o.details }).toEqual({
          code: "NOT_FOUND",
          message: "Activity not found",
          details: { id: activityId },
        });
      }
      const left = await queryRows<{ n: number }>(
        h.db.db,
        sql`select (select count(*) from user_responses where activity_id = ${activityId})::int
                 + (select count(*) from activity_response_counters where activity_id = ${activityId})::int as n`,
      );
      expect(left[0]?.n).toBe(0);
    }
    console.log(`delete race: refused ${JSON.stringify(Object.fromEntries(refusals))}`);
  }, 120_000);

  it("a submission racing its session's deletion succeeds before it or is a 404, never a deadlock's 500", async () => {
    const codes = new Map<string, number>();
    for (let round = 0; round < 10; round++) {
      const small = await openRoom(h, 8);
      const activityId = await small.activity("custom", {});
      const submits = small.people.map((p, i) =>
        p.caller.response.submit({ session_id: small.sessionId, activity_id: activityId, response_data: { i } }).then(
          () => "applied",
          (error: unknown) => toWireError(error).body.error.code,
        ),
      );
      await soon();
      const deleted = small.owner.session.delete({ session_id: small.sessionId });
      for (const code of await Promise.all(submits)) {
        codes.set(code, (codes.get(code) ?? 0) + 1);
        expect(["applied", "NOT_FOUND"]).toContain(code);
      }
      await deleted;
    }
    console.log(`session delete race: ${JSON.stringify(Object.fromEntries(codes))}`);
  }, 120_000);

  it("after its session is deleted, a participant's call is a 404 for the session, not PARTICIPANT_REMOVED", async () => {
    const gone = await openRoom(h, 1);
    const activityId = await gone.activity("custom", {});
    await gone.owner.session.delete({ session_id: gone.sessionId });
    const [ada] = gone.people;
    if (!ada) throw new Error("the room has one participant");
    const code = (call: Promise<unknown>) =>
      call.then(
        () => "applied",
        (error: unknown) => toWireError(error).body.error.code,
      );
    const ref = { session_id: gone.sessionId, activity_id: activityId };
    expect(await code(ada.caller.response.submit({ ...ref, response_data: { i: 0 } }))).toBe("NOT_FOUND");
    expect(await code(ada.caller.session.status({ session_id: gone.sessionId }))).toBe("NOT_FOUND");
  });
});
