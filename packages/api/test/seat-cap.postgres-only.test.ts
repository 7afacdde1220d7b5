import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { removeParticipant } from "../src/services/participants";
import { submitResponse } from "../src/services/responses";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveQa } from "./qa-support";

/**
 * Issue 18, item 7: `max_participants` bounds the participants whose answers count. Leaving (or a
 * kick) frees the seat and the nickname of one who never answered; a seat that has answered (a
 * response or a vote) stays taken, so join -> answer -> leave rounds cannot stuff a room.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const poll = { question: "Lunch?", options: ["pizza", "sushi"] };

async function room(maxParticipants: number) {
  const owner = h.caller(h.adminToken("host"));
  const session = await owner.session.create({ title: "Vote", max_participants: maxParticipants });
  const activity = await owner.activity.create({ session_id: session.id, type: "poll", config: poll });
  await owner.session.setStatus({ session_id: session.id, status: "active" });
  await owner.activity.setStatus({ activity_id: activity.id, status: "active" });
  const ref = { session_id: session.id, activity_id: activity.id };
  const join = async (nickname: string) => {
    const joined = await h.caller().participant.join({ join_code: session.join_code, nickname });
    return { id: joined.participant.id, caller: h.caller(joined.token) };
  };
  const answer = (who: { caller: ReturnType<ApiHarness["caller"]> }) =>
    who.caller.response.submit({ ...ref, response_data: { selected_options: ["pizza"] } });
  const leave = (who: { caller: ReturnType<ApiHarness["caller"]> }) => who.caller.participant.leave({ session_id: session.id });
  const responseCount = async () => (await owner.activity.status(ref)).response_count;
  /** Joins newcomers until the room refuses one: how many seats were still free. */
  const freeSeats = async () => {
    for (let n = 0; ; n++) {
      const outcome = await join(`newcomer-${n}`).then(
        () => "joined",
        (error: { cause?: { code?: string }; message?: string }) => error.cause?.code ?? error.message ?? "?",
      );
      if (outcome !== "joined") {
        expect(outcome).toBe("SESSION_FULL");
        return n;
      }
    }
  };
  return { owner, session, ref, join, answer, leave, responseCount, freeSeats };
}

const codeOf = (error: unknown) => (error as { cause?: { code?: string } }).cause?.code ?? String(error);

describe("max_participants bounds the participants whose answers count", () => {
  it("join, answer, leave in rounds: each one who answered keeps its seat taken, and the room fills", async () => {
    const r = await room(3);
    const outcomes: string[] = [];
    for (let i = 0; i < 20; i++) {
      const who = await r.join(`voter-${i}`).catch((error: unknown) => codeOf(error));
      if (typeof who === "string") {
        outcomes.push(who);
        continue;
      }
      await r.answer(who);
      await r.leave(who);
      outcomes.push("voted");
    }
    expect(await r.responseCount()).toBe(3);
    expect(outcomes).toEqual([...Array<string>(3).fill("voted"), ...Array<string>(17).fill("SESSION_FULL")]);
  });

  it("join, upvote, leave in rounds: a voter's seat stays taken too", async () => {
    const owner = h.caller(h.adminToken("host"));
    const qa = await liveQa(h, 1, { prompt: "Ask" });
    await owner.session.update({ session_id: qa.session.id, max_participants: 3 });
    const [author] = qa.people;
    if (!author) throw new Error("an author expected");
    const question = await qa.ask(author, "Why?");
    const outcomes: string[] = [];
    for (let i = 0; i < 25; i++) {
      const joined = await h
        .caller()
        .participant.join({ join_code: qa.session.join_code, nickname: `fan-${i}` })
        .catch((error: unknown) => codeOf(error));
      if (typeof joined === "string") {
        outcomes.push(joined);
        continue;
      }
      const fan = h.caller(joined.token);
      await fan.response.vote({ ...qa.ids, response_id: question });
      await fan.participant.leave({ session_id: qa.session.id });
      outcomes.push("upvoted");
    }
    const listed = await owner.response.list({ ...qa.ids, limit: 10, offset: 0 });
    expect(listed.items[0]?.vote_count).toBe(2);
    expect(outcomes).toEqual([...Array<string>(2).fill("upvoted"), ...Array<string>(23).fill("SESSION_FULL")]);
  });

  it("one who never answered gives its seat and nickname back when it leaves or is kicked", async () => {
    const r = await room(1);
    await r.leave(await r.join("Ana"));
    const again = await r.join("Ana");
    await r.owner.participant.remove({ session_id: r.session.id, participant_id: again.id });
    await r.join("Ana");
    expect(await r.freeSeats()).toBe(0);
  });

  it("a kicked participant that answered keeps its seat taken (its answer still counts); raising max_participants opens one", async () => {
    const r = await room(2);
    const troll = await r.join("Troll");
    await r.answer(troll);
    await r.owner.participant.remove({ session_id: r.session.id, participant_id: troll.id });
    // Its nickname is free again, its seat is not.
    await r.join("Troll");
    expect(await r.freeSeats()).toBe(0);
    expect(await r.responseCount()).toBe(1);
    await r.owner.session.update({ session_id: r.session.id, max_participants: 3 });
    expect(await r.freeSeats()).toBe(1);
  });

  it("participant_count still counts those present: one who answered and left is not shown", async () => {
    const r = await room(5);
    const a = await r.join("A");
    await r.answer(a);
    await r.join("B");
    await r.leave(a);
    expect((await r.owner.session.status({ session_id: r.session.id })).participant_count).toBe(1);
    expect(await r.freeSeats()).toBe(3);
  });
});

describe("max_participants under concurrency", () => {
  it("concurrent join -> answer -> leave flows never count more answerers than max_participants, and leak no seat", async () => {
    const r = await room(5);
    // Each flow keeps trying to get in, as a ballot stuffer would: 20 flows, up to 10 joins each.
    const flow = async (i: number) => {
      for (let attempt = 0; attempt < 10; attempt++) {
        const who = await r.join(`c-${i}-${attempt}`).catch(() => null);
        if (!who) continue;
        await r.answer(who).catch(() => undefined);
        await r.leave(who);
      }
    };
    await Promise.all(Array.from({ length: 20 }, (_, i) => flow(i)));
    const answered = await r.responseCount();
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThanOrEqual(5);
    // Every seat is either held by one who answered or free: exactly the rest fits.
    expect(await r.freeSeats()).toBe(5 - answered);
  });

  it("a leave racing a first answer: the answer is refused, or it counts and the seat stays taken", async () => {
    const r = await room(12);
    const people = await Promise.all(Array.from({ length: 12 }, (_, i) => r.join(`race-${i}`)));
    const outcomes = await Promise.all(
      people.map(async (who) => {
        const [answer] = await Promise.allSettled([r.answer(who), r.leave(who)]);
        return answer.status === "fulfilled" ? "counted" : codeOf(answer.reason);
      }),
    );
    for (const outcome of outcomes) expect(["counted", "PARTICIPANT_REMOVED"]).toContain(outcome);
    const counted = outcomes.filter((o) => o === "counted").length;
    expect(await r.responseCount()).toBe(counted);
    expect(await r.freeSeats()).toBe(12 - counted);
  });

  /** Resolves once a statement of this database waits for a row lock another transaction holds. */
  async function someoneWaitsForALock() {
    for (const until = Date.now() + 10_000; Date.now() < until;) {
      const [row] = await queryRows<{ waiting: boolean }>(
        h.deps.db,
        sql`select exists (select 1 from pg_stat_activity
                            where datname = current_database() and wait_event_type = 'Lock') as waiting`,
      );
      if (row?.waiting) return;
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    throw new Error("no statement waited for the participant's row within 10 s");
  }

  it("a removal committing while a first answer waits for the participant's row: nothing is stored, the seat is free", async () => {
    const r = await room(1);
    const who = await r.join("Ana");
    let answered: Promise<unknown> | undefined;
    await h.deps.db.transaction(async (tx) => {
      await removeParticipant({ ...h.deps, db: tx }, r.session.id, who.id);
      answered = submitResponse(h.deps, {
        sessionId: r.session.id,
        activityId: r.ref.activity_id,
        participantId: who.id,
        data: { selected_options: ["pizza"] },
      }).catch((error: unknown) => (error as { code?: string }).code);
      await someoneWaitsForALock();
    });
    expect(await answered).toBe("PARTICIPANT_REMOVED");
    expect(await r.responseCount()).toBe(0);
    expect(await r.freeSeats()).toBe(1);
  });

  it("a removal waiting while a first answer commits: the answer counts and the seat stays taken", async () => {
    const r = await room(1);
    const who = await r.join("Ana");
    let removed: Promise<void> | undefined;
    await h.deps.db.transaction(async (tx) => {
      await submitResponse(
        { ...h.deps, db: tx, inTransaction: true },
        { sessionId: r.session.id, activityId: r.ref.activity_id, participantId: who.id, data: { selected_options: ["pizza"] } },
      );
      removed = removeParticipant(h.deps, r.session.id, who.id);
      await someoneWaitsForALock();
    });
    await removed;
    expect(await r.responseCount()).toBe(1);
    expect(await r.freeSeats()).toBe(0);
  });
});
