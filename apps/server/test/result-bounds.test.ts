import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Api, type Session } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

/**
 * What one results poll, or one tRPC batch of them, makes the server build: bounded however many
 * answers the activity holds (issue 18, item 10). The review's room was 10 participants x 100
 * open-text answers of 4,000 characters (a 4.1 MB body polled by every phone, 206 MB for a batch
 * of 50); this one is smaller, enough to show the body no longer grows with the answers.
 */
let server: TestServer;
let api: Api;
beforeAll(async () => {
  server = await startTestServer();
  api = new Api(server);
});
afterAll(async () => server?.stop());

/** A results body stays under this, whatever the activity holds (the kept-answer store takes bodies up to 64 KB). */
const RESULTS_BODY_BOUND = 64 * 1024;

const resultsPath = (sessionId: number, activityId: string) => `/api/v1/sessions/${sessionId}/activities/${activityId}/results`;

interface Room {
  owner: string;
  session: Session;
  activityId: string;
  tokens: string[];
}

async function room(type: string, config: Record<string, unknown>, participants: number): Promise<Room> {
  const owner = api.admin("alice");
  const session = await api.activeSession(owner);
  const created = await api.activity(owner, session.id, { type, config });
  await api.setActivityStatus(owner, created.id, "active");
  const tokens: string[] = [];
  for (let i = 0; i < participants; i++) tokens.push((await api.join(session.join_code, `P${i}`)).token);
  return { owner, session, activityId: created.id, tokens };
}

/** `perParticipant` answers from each participant, a few in flight at a time; the ids in the order they were stored. */
async function answer(r: Room, perParticipant: number, data: (p: number, i: number) => unknown): Promise<string[]> {
  const ids: string[] = [];
  for (let i = 0; i < perParticipant; i++) {
    const made = await Promise.all(r.tokens.map((token, p) => api.submit(token, r.session.id, r.activityId, data(p, i))));
    ids.push(...made.map((m) => m.id));
  }
  return ids;
}

const bytes = (text: string) => Buffer.byteLength(text, "utf8");

describe("GET .../results of text types: the latest or top entries plus totals", () => {
  it("open_text: 120 answers of 4,000 characters answer the newest entries, under 64 KB, with the total", async () => {
    const r = await room("open_text", { question: "Feedback?" }, 4);
    const text = (p: number, i: number) => `${p}-${i} `.padEnd(4000, "x");
    const ids = await answer(r, 30, (p, i) => ({ text: text(p, i) }));
    for (const token of [r.owner, r.tokens[0] as string]) {
      const res = await api.request("GET", resultsPath(r.session.id, r.activityId), { token });
      expect(res.status).toBe(200);
      expect(bytes(res.text)).toBeLessThan(RESULTS_BODY_BOUND);
      const body = res.body as { response_count: number; results: { entries: { id: string }[]; total_entries: number } };
      expect(body.response_count).toBe(120);
      expect(body.results).toMatchObject({ total_entries: 120, truncated: true });
      const shown = body.results.entries.map((e) => e.id);
      expect(shown.length).toBeGreaterThan(0);
      expect(shown.length).toBeLessThan(120);
      // Oldest first, as before: the newest answers, in the order they came.
      expect(new Set(shown)).toEqual(new Set(ids.slice(-shown.length)));
    }
  });

  it("qa: 240 questions of 500 characters answer the most voted first, under 64 KB, with the total", async () => {
    const r = await room("qa", { prompt: "Ask" }, 4);
    const ids = await answer(r, 60, (p, i) => ({ question_text: `${p}-${i} `.padEnd(500, "q") }));
    const first = ids[0] as string;
    const vote = await api.request(
      "POST",
      `/api/v1/sessions/${r.session.id}/activities/${r.activityId}/responses/${first}/votes`,
      { token: r.tokens[1] },
    );
    expect(vote.status).toBe(200);
    const res = await api.request("GET", resultsPath(r.session.id, r.activityId), { token: r.owner });
    expect(bytes(res.text)).toBeLessThan(RESULTS_BODY_BOUND);
    const results = (res.body as { results: { questions: { id: string; votes: number }[] } }).results;
    expect(results).toMatchObject({ total_questions: 240, truncated: true });
    expect(results.questions[0]).toMatchObject({ id: first, votes: 1 });
    expect(results.questions.length).toBeLessThan(240);
  });

  it("word_cloud: 4,000 distinct words answer the most frequent, under 64 KB, with the totals", async () => {
    const r = await room("word_cloud", { prompt: "One word" }, 4);
    const word = (p: number, i: number, w: number) => `w${p}x${i}x${w}`.padEnd(90, "z");
    await answer(r, 10, (p, i) => ({ words: Array.from({ length: 100 }, (_, w) => (w === 0 ? "common" : word(p, i, w))) }));
    const res = await api.request("GET", resultsPath(r.session.id, r.activityId), { token: r.owner });
    expect(bytes(res.text)).toBeLessThan(RESULTS_BODY_BOUND);
    const results = (res.body as { results: { words: { word: string; count: number }[] } }).results;
    expect(results).toMatchObject({ total_words: 4000, total_participants: 4, distinct_words: 3961, truncated: true });
    expect(results.words[0]).toEqual({ word: "common", normalized: "common", count: 40 });
    expect(results.words.length).toBeLessThan(3961);
  });
});

describe("a tRPC GET batch of 50 activity.results calls", () => {
  it("answers every call under 50 x 64 KB in all, each as the single call does", async () => {
    const r = await room("open_text", { question: "Feedback?" }, 4);
    await answer(r, 30, (p, i) => ({ text: `${p}-${i} `.padEnd(4000, "y") }));
    const input = { session_id: r.session.id, activity_id: r.activityId };
    const single = await api.request("GET", resultsPath(r.session.id, r.activityId), { token: r.owner });
    const names = Array.from({ length: 50 }, () => "activity.results").join(",");
    const inputs = encodeURIComponent(JSON.stringify(Object.fromEntries(Array.from({ length: 50 }, (_, i) => [i, input]))));
    const res = await api.request("GET", `/trpc/${names}?batch=1&input=${inputs}`, { token: r.owner });
    expect(res.status).toBe(200);
    expect(bytes(res.text)).toBeLessThan(50 * RESULTS_BODY_BOUND);
    const calls = res.body as { result: { data: { results: unknown } } }[];
    expect(calls).toHaveLength(50);
    for (const call of calls) expect(call.result.data.results).toEqual((single.body as { results: unknown }).results);
  });
});
