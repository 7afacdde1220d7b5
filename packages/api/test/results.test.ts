import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom, recomputed, refusal, type Room } from "./results-fixtures";

let h: ApiHarness;
let room: Room;
beforeAll(async () => {
  h = await createApiHarness();
  room = await openRoom(h, 4);
}, 60_000);
afterAll(async () => h?.close());

const results = (caller: Room["owner"], activityId: string) =>
  caller.activity.results({ session_id: room.sessionId, activity_id: activityId });
const person = (i: number) => {
  const found = room.people[i];
  if (!found) throw new Error(`no participant ${i}`);
  return found.caller;
};
const submit = (who: number, activityId: string, response_data: unknown) =>
  person(who).response.submit({ session_id: room.sessionId, activity_id: activityId, response_data });

/** Reveal and threshold through the activity update (PUT), which makes the cached results stale. */
const reveal = (activityId: string, fields: { results_visible?: boolean; min_responses_to_show?: number | null }) =>
  room.owner.activity.update({ session_id: room.sessionId, activity_id: activityId, ...fields });

describe("GET /api/v1/sessions/{session_id}/activities/{activity_id}/results: every built-in type", () => {
  it("poll: counts and percentages of voters, equal to the registry over the table", async () => {
    const id = await room.activity("poll", { question: "Lunch?", options: ["pizza", "sushi", "soup"] });
    await submit(0, id, { selected_options: ["pizza"] });
    await submit(1, id, { selected_options: ["pizza"] });
    await submit(2, id, { selected_options: ["sushi"] });
    const answer = await results(room.owner, id);
    expect(answer).toMatchObject({ activity_id: id, type: "poll", response_count: 3 });
    expect(answer.results).toEqual({
      options: [
        { option: "pizza", count: 2, percentage: 66.7 },
        { option: "sushi", count: 1, percentage: 33.3 },
        { option: "soup", count: 0, percentage: 0 },
      ],
      total_voters: 3,
    });
    expect(answer.results).toEqual(await recomputed(h, id));
    // A changed vote is seen at once by the writer's next read (a lone write invalidates).
    await submit(2, id, { selected_options: ["pizza"] });
    const after = await results(person(3), id);
    expect(after.results).toMatchObject({
      options: [{ option: "pizza", count: 3 }, { count: 0 }, { count: 0 }],
      total_voters: 3,
    });
  });

  it("word_cloud: normalised words, most frequent spelling", async () => {
    const id = await room.activity("word_cloud", { prompt: "One word" });
    await submit(0, id, { words: ["Coffee"] });
    await submit(1, id, { words: ["coffee ", "tea"] });
    await submit(2, id, { words: ["COFFEE"] });
    await submit(3, id, { words: ["coffee"] });
    const answer = await results(room.owner, id);
    expect(answer.response_count).toBe(4);
    expect(answer.results).toMatchObject({
      words: [
        { normalized: "coffee", count: 4 },
        { word: "tea", count: 1 },
      ],
      total_words: 5,
    });
    expect(answer.results).toEqual(await recomputed(h, id));
  });

  it("rating: average, count and histogram", async () => {
    const id = await room.activity("rating", { question: "Mood", min: 1, max: 5 });
    await submit(0, id, { value: 5 });
    await submit(1, id, { value: 4 });
    await submit(2, id, { value: 4 });
    const answer = await results(room.owner, id);
    expect(answer.results).toMatchObject({ average: 4.33, count: 3 });
    expect(answer.results).toEqual(await recomputed(h, id));
  });

  it("qa: questions with nicknames", async () => {
    const id = await room.activity("qa", { prompt: "Ask" });
    await submit(0, id, { question_text: "Why?" });
    await submit(1, id, { question_text: "When?" });
    const answer = await results(room.owner, id);
    expect(answer.results).toMatchObject({
      questions: [
        { question_text: "Why?", votes: 0, nickname: "p0" },
        { question_text: "When?", votes: 0, nickname: "p1" },
      ],
      total_questions: 2,
    });
    expect(answer.results).toEqual(await recomputed(h, id));
  });

  it("open_text: every entry", async () => {
    const id = await room.activity("open_text", { question: "Feedback" });
    await submit(3, id, { text: "Great" });
    const answer = await results(room.owner, id);
    expect(answer.results).toMatchObject({ entries: [{ text: "Great", nickname: "p3" }], total_entries: 1 });
    expect(answer.results).toEqual(await recomputed(h, id));
  });

  it("an unregistered type gets the generic result", async () => {
    const id = await room.activity("custom_thing", { anything: true });
    await submit(0, id, { x: 1 });
    await submit(1, id, "free json");
    const answer = await results(person(2), id);
    expect(answer).toMatchObject({
      type: "custom_thing",
      response_count: 2,
      results: { response_count: 2, participants_answered: 2 },
    });
  });
});

describe("quiz: correct answers stay with the owner until the quiz completes", () => {
  it("participants get the redacted view, then the full one once completed", async () => {
    const id = await room.activity("quiz", { question: "2+2?", options: ["3", "4"], correct_options: ["4"] });
    await submit(0, id, { selected_options: ["4"] });
    await submit(1, id, { selected_options: ["3"] });
    const owner = await results(room.owner, id);
    expect(owner.results).toMatchObject({
      options: [
        { option: "3", count: 1, correct: false },
        { option: "4", count: 1, correct: true },
      ],
      correct_answers: 1,
    });
    const participant = await results(person(2), id);
    expect(participant.results).toMatchObject({ options: [{ correct: null }, { correct: null }], correct_answers: null });
    expect(participant.results).toEqual(await recomputed(h, id, { redact: true }));
    expect(JSON.stringify(participant)).not.toContain("true");

    await room.owner.activity.setStatus({ activity_id: id, status: "completed" });
    expect((await results(person(2), id)).results).toEqual(owner.results);
  });
});

describe("reveal and the privacy threshold", () => {
  it("hidden results: 403 RESULTS_HIDDEN for participants, the owner still sees them", async () => {
    const id = await room.activity("poll", { question: "Secret?", options: ["yes", "no"] });
    await submit(0, id, { selected_options: ["yes"] });
    await reveal(id, { results_visible: false });
    expect(await refusal(results(person(1), id))).toEqual({
      status: 403,
      code: "RESULTS_HIDDEN",
      details: { reason: "results_hidden", activity_id: id },
    });
    expect((await results(room.owner, id)).response_count).toBe(1);
    await reveal(id, { results_visible: true });
    expect((await results(person(1), id)).response_count).toBe(1);
  });

  it("below min_responses_to_show: 403 with the threshold, shown once enough responses count", async () => {
    const id = await room.activity("rating", { question: "Salary happiness", min: 1, max: 3 });
    await reveal(id, { min_responses_to_show: 3 });
    await submit(0, id, { value: 1 });
    await submit(1, id, { value: 3 });
    expect(await refusal(results(person(0), id))).toEqual({
      status: 403,
      code: "RESULTS_HIDDEN",
      details: { reason: "min_responses_to_show", min_responses_to_show: 3, activity_id: id },
    });
    expect((await results(room.owner, id)).results).toMatchObject({ count: 2 });
    await submit(2, id, { value: 2 });
    expect((await results(person(0), id)).results).toMatchObject({ count: 3, average: 2 });
  });

  it("participants get 404 for a draft's results; its owner gets empty results", async () => {
    const draft = await room.owner.activity.create({
      session_id: room.sessionId,
      type: "poll",
      config: { question: "Later", options: ["a", "b"] },
    });
    expect((await refusal(results(person(0), draft.id))).status).toBe(404);
    expect((await results(room.owner, draft.id)).results).toMatchObject({ total_voters: 0 });
  });

  it("a config change is seen by the next read (the update invalidates the results)", async () => {
    const id = await room.activity("poll", { question: "Pick", options: ["a", "b", "c"] });
    await submit(0, id, { selected_options: ["c"] });
    await submit(1, id, { selected_options: ["a"] });
    expect((await results(room.owner, id)).results).toMatchObject({ total_voters: 2 });
    await room.owner.activity.update({
      session_id: room.sessionId,
      activity_id: id,
      config: { question: "Pick", options: ["a", "b"] },
    });
    // The vote for the removed option no longer fits the config: it is left out.
    expect((await results(room.owner, id)).results).toMatchObject({ total_voters: 1 });
  });
});

describe("GET /api/v1/sessions/{session_id}/leaderboard", () => {
  it("totals quiz points; participants see completed quizzes only, the owner all", async () => {
    const quizRoom = await openRoom(h, 3, "quizmaster");
    const answer = (who: number, activityId: string, option: string) =>
      quizRoom.people[who]?.caller.response.submit({
        session_id: quizRoom.sessionId,
        activity_id: activityId,
        response_data: { selected_options: [option] },
      });
    const first = await quizRoom.activity("quiz", { question: "1+1?", options: ["2", "3"], correct_options: ["2"], points: 2 });
    await answer(0, first, "2");
    await answer(1, first, "3");
    await answer(2, first, "2");
    // Starting the second quiz completes the first.
    const second = await quizRoom.activity("quiz", { question: "2+3?", options: ["5", "6"], correct_options: ["5"], points: 5 });
    await answer(1, second, "5");
    const board = (caller: Room["owner"]) => caller.session.leaderboard({ session_id: quizRoom.sessionId });

    const owner = await board(quizRoom.owner);
    expect(owner.activity_ids).toEqual([first, second]);
    expect(owner.entries).toEqual([
      { rank: 1, participant_id: quizRoom.people[1]?.id, nickname: "p1", points: 5, answers: 2 },
      { rank: 2, participant_id: quizRoom.people[0]?.id, nickname: "p0", points: 2, answers: 1 },
      { rank: 2, participant_id: quizRoom.people[2]?.id, nickname: "p2", points: 2, answers: 1 },
    ]);
    const participant = quizRoom.people[0]?.caller;
    if (!participant) throw new Error("no participant");
    const seen = await board(participant);
    expect(seen.activity_ids).toEqual([first]);
    expect(seen.entries.map((e) => [e.nickname, e.rank, e.points])).toEqual([
      ["p0", 1, 2],
      ["p2", 1, 2],
      ["p1", 3, 0],
    ]);

    // A changed answer and a completion are seen by the next read (both invalidate the leaderboard).
    await answer(0, second, "5");
    await quizRoom.owner.activity.setStatus({ activity_id: second, status: "completed" });
    expect((await board(participant)).entries.map((e) => [e.nickname, e.points])).toEqual([
      ["p0", 7],
      ["p1", 5],
      ["p2", 2],
    ]);
  });

  it("is empty for a session without quizzes", async () => {
    expect(await room.owner.session.leaderboard({ session_id: room.sessionId })).toMatchObject({
      session_id: room.sessionId,
      entries: expect.any(Array),
    });
    const empty = await openRoom(h, 1, "nobody");
    expect((await empty.owner.session.leaderboard({ session_id: empty.sessionId })).entries).toEqual([]);
  });
});

describe("GET /api/v1/activity-types", () => {
  it("lists every built-in type with its mode and JSON Schemas, without a token", async () => {
    const { items } = await h.caller().activityType.list({});
    expect(items.map((t) => t.type).sort()).toEqual(["open_text", "poll", "qa", "quiz", "rating", "word_cloud"]);
    const quiz = items.find((t) => t.type === "quiz");
    expect(quiz).toMatchObject({ mode: "single", scored: true, private_config_fields: ["correct_options"] });
    expect(quiz?.config_schema).toMatchObject({ type: "object", required: expect.arrayContaining(["question", "options"]) });
    expect(items.find((t) => t.type === "qa")?.mode).toBe("multiple");
  });
});
