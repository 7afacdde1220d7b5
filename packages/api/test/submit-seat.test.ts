import { randomUUID } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { toWireError } from "../src/errors";
import { submitResponse } from "../src/services/submit";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom, refusal, storedResponses, type Room } from "./results-fixtures";

/**
 * response.submit checks the participant's seat in its own statement (meta.seatCheckedInWrite:
 * the guard does not read it first). Nothing is stored for a token whose seat is gone, and the
 * answers are the seat check's: 401 PARTICIPANT_REMOVED, or 404 "Session not found" once the
 * session was deleted, also when the call is wrong in another way too.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

async function liveRoom(size: number): Promise<{ room: Room; activityId: string }> {
  const room = await openRoom(h, size);
  return { room, activityId: await room.activity("custom", {}) };
}

const person = (room: Room, i: number) => {
  const p = room.people[i];
  if (!p) throw new Error(`the room has no participant ${i}`);
  return p;
};

/** The message of a call that must fail, with its status and code. */
async function refusalMessage(call: Promise<unknown>): Promise<{ status: number; code: string; message: string }> {
  const wire = await call.then(
    () => null,
    (error: unknown) => toWireError(error),
  );
  if (!wire) throw new Error("the call succeeded");
  return { status: wire.status, code: wire.body.error.code, message: wire.body.error.message };
}

describe("response.submit for a participant whose seat is gone", () => {
  it("a removed participant is refused 401 PARTICIPANT_REMOVED and nothing is stored", async () => {
    const { room, activityId } = await liveRoom(2);
    const [ada, bob] = [person(room, 0), person(room, 1)];
    await room.owner.participant.remove({ session_id: room.sessionId, participant_id: ada.id });
    const ref = { session_id: room.sessionId, activity_id: activityId };
    expect(await refusal(ada.caller.response.submit({ ...ref, response_data: { choice: "a" } }))).toEqual({
      status: 401,
      code: "PARTICIPANT_REMOVED",
      details: { participant_id: ada.id },
    });
    await bob.caller.response.submit({ ...ref, response_data: { choice: "b" } });
    expect((await storedResponses(h, activityId)).map((r) => [r.participantId, r.data])).toEqual([[bob.id, { choice: "b" }]]);
  });

  it("a removed participant's retry with an Idempotency-Key it used while seated is refused, not replayed", async () => {
    const { room, activityId } = await liveRoom(1);
    const ada = person(room, 0);
    const keyed = h.caller(ada.token, { "Idempotency-Key": "seat-key-1" });
    const input = { session_id: room.sessionId, activity_id: activityId, response_data: { choice: "a" } };
    await keyed.response.submit(input);
    await room.owner.participant.remove({ session_id: room.sessionId, participant_id: ada.id });
    expect((await refusal(keyed.response.submit(input))).code).toBe("PARTICIPANT_REMOVED");
  });

  it("a token whose token id is not the row's (another token holds the seat) is refused and stores nothing", async () => {
    const { room, activityId } = await liveRoom(1);
    const ada = person(room, 0);
    // Validly signed, for Ada's row, but not the token id the row carries: a token from a reset database.
    const stale = h.deps.tokens.sign(
      {
        sub: `participant:${ada.id}`,
        role: "participant",
        session_id: room.sessionId,
        participant_id: ada.id,
        tid: randomUUID(),
      },
      3600,
    ).token;
    const ref = { session_id: room.sessionId, activity_id: activityId };
    expect((await refusal(h.caller(stale).response.submit({ ...ref, response_data: { choice: "x" } }))).code).toBe(
      "PARTICIPANT_REMOVED",
    );
    expect(await storedResponses(h, activityId)).toEqual([]);
    await ada.caller.response.submit({ ...ref, response_data: { choice: "a" } });
    expect((await storedResponses(h, activityId)).map((r) => r.data)).toEqual([{ choice: "a" }]);
  });

  it("after its session is deleted, a participant's submit is a 404 'Session not found'", async () => {
    const { room, activityId } = await liveRoom(1);
    const ada = person(room, 0);
    await room.owner.session.delete({ session_id: room.sessionId });
    const ref = { session_id: room.sessionId, activity_id: activityId };
    expect(await refusalMessage(ada.caller.response.submit({ ...ref, response_data: { choice: "a" } }))).toEqual({
      status: 404,
      code: "NOT_FOUND",
      message: "Session not found",
    });
  });

  it("the lost seat is the answer when the call is also wrong otherwise (unknown activity, invalid answer)", async () => {
    const { room, activityId } = await liveRoom(1);
    const pollId = await room.activity("poll", { question: "Which?", options: ["a", "b"] });
    const ada = person(room, 0);
    await room.owner.participant.remove({ session_id: room.sessionId, participant_id: ada.id });
    const unknownActivity = { session_id: room.sessionId, activity_id: activityId.replace(/^./, (c) => (c === "0" ? "1" : "0")) };
    expect((await refusal(ada.caller.response.submit({ ...unknownActivity, response_data: {} }))).code).toBe(
      "PARTICIPANT_REMOVED",
    );
    const poll = { session_id: room.sessionId, activity_id: pollId };
    expect((await refusal(ada.caller.response.submit({ ...poll, response_data: { nonsense: true } }))).code).toBe(
      "PARTICIPANT_REMOVED",
    );
  });
});

describe("the submit statement's own seat check (service level, no guard)", () => {
  const tokenIdOf = (token: string) => {
    const claims = h.deps.tokens.verify(token);
    return claims.role === "participant" ? claims.tid : "";
  };
  const submitAs = (room: Room, activityId: string, i: number, tokenId: string, sessionId = room.sessionId) =>
    submitResponse(h.deps, {
      sessionId: room.sessionId,
      activityId,
      participantId: person(room, i).id,
      data: { i },
      seat: { tokenId, sessionId },
    });

  it("stores nothing for a removed participant, a token id that is not the row's, or a token of another session", async () => {
    const { room, activityId } = await liveRoom(3);
    const tokenIds = room.people.map((p) => tokenIdOf(p.token));
    await room.owner.participant.remove({ session_id: room.sessionId, participant_id: person(room, 0).id });
    expect((await refusal(submitAs(room, activityId, 0, tokenIds[0] as string))).code).toBe("PARTICIPANT_REMOVED");
    expect((await refusal(submitAs(room, activityId, 1, randomUUID()))).code).toBe("PARTICIPANT_REMOVED");
    expect((await refusal(submitAs(room, activityId, 1, "not-a-uuid"))).code).toBe("PARTICIPANT_REMOVED");
    expect((await refusal(submitAs(room, activityId, 2, tokenIds[2] as string, room.sessionId + 1_000_000))).code).toBe(
      "PARTICIPANT_REMOVED",
    );
    expect(await storedResponses(h, activityId)).toEqual([]);
    await submitAs(room, activityId, 1, tokenIds[1] as string);
    expect((await storedResponses(h, activityId)).map((r) => r.data)).toEqual([{ i: 1 }]);
  });

  it("answers 404 'Session not found' when the participant went with its session", async () => {
    // The activity is another room's, still there: the statement runs (a deleted session's activity
    // is gone too, and would be a 404 for the activity before any statement on this instance).
    const { room } = await liveRoom(1);
    const { activityId } = await liveRoom(0);
    const tokenId = tokenIdOf(person(room, 0).token);
    await room.owner.session.delete({ session_id: room.sessionId });
    expect(await refusalMessage(submitAs(room, activityId, 0, tokenId))).toEqual({
      status: 404,
      code: "NOT_FOUND",
      message: "Session not found",
    });
    expect(await storedResponses(h, activityId)).toEqual([]);
  });
});
