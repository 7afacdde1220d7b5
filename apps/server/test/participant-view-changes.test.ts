import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call } from "./polling-setup";
import {
  buildSession,
  comparable,
  data,
  fromRest,
  fromTrpc,
  ok,
  q,
  restPath,
  type Outcome,
  type Session,
} from "./participant-view-setup";

/**
 * A change of an activity's setting (hidden, a threshold, revealed) shows on a participant's next
 * poll through every door, never as the answer kept for the ETag it holds. The server runs the
 * shipped cache settings: a burst answers cached values for 50 ms, a setting must not wait for it.
 */
let server: TestServer;
let s: Session;

beforeAll(async () => {
  server = await startTestServer({ CACHE_MIN_REFRESH_MS: "50", CACHE_MAX_STALE_MS: "1000" });
  s = await buildSession(server);
}, 60_000);
afterAll(async () => server?.stop());

/** A poll primed the way a client polls: twice through each door, so that its answer is kept; the ETags it holds. */
async function primed(path: string, input: Record<string, unknown>) {
  const rest = restPath(path, input);
  const trpc = `/trpc/${path}?input=${q(input)}`;
  const etags = { rest: "", trpc: "" };
  for (let i = 0; i < 2; i++) {
    etags.rest = (await call(server.url, "GET", rest, s.viewer)).headers.get("etag") ?? "";
    etags.trpc = (await call(server.url, "GET", trpc, s.viewer)).headers.get("etag") ?? "";
  }
  return { path, input, rest, trpc, etags };
}

/** The next poll through each door, with the ETag it held: every door must give the same answer (never a 304 of the old one). */
async function nextPoll(p: Awaited<ReturnType<typeof primed>>): Promise<Outcome> {
  const rest = await call(server.url, "GET", p.rest, s.viewer, undefined, { "if-none-match": p.etags.rest });
  const trpc = await call(server.url, "GET", p.trpc, s.viewer, undefined, { "if-none-match": p.etags.trpc });
  const batch = await call(
    server.url,
    "GET",
    `/trpc/${p.path},${p.path}?batch=1&input=${q({ 0: p.input, 1: p.input })}`,
    s.viewer,
  );
  expect(rest.status, `${p.path} REST`).not.toBe(304);
  expect(trpc.status, `${p.path} tRPC`).not.toBe(304);
  const outcome = fromRest(rest);
  expect(comparable(fromTrpc(trpc.body)), `${p.path} tRPC`).toEqual(comparable(outcome));
  for (const entry of batch.body as unknown as unknown[])
    expect(comparable(fromTrpc(entry)), `${p.path} batch`).toEqual(comparable(outcome));
  return outcome;
}

describe("a change of setting shows on the participant's next poll, through every door", () => {
  it("hiding, a threshold and revealing move the results and the leaderboard together", async () => {
    const update = (id: string, fields: Record<string, unknown>) =>
      ok(server, "PUT", `/v1/sessions/${s.sid}/activities/${id}`, s.owner, fields);
    const { shown, few } = s.activities;
    const poll = async () => {
      const results = await primed("activity.results", { session_id: s.sid, activity_id: shown });
      const fewResults = await primed("activity.results", { session_id: s.sid, activity_id: few });
      const board = await primed("session.leaderboard", { session_id: s.sid });
      return { results, fewResults, board };
    };
    const counted = (outcome: Outcome) => data(outcome).activity_ids;

    let primedPolls = await poll();
    await update(shown, { results_visible: false });
    expect(await nextPoll(primedPolls.results)).toMatchObject({ code: "RESULTS_HIDDEN", details: { reason: "results_hidden" } });
    expect(counted(await nextPoll(primedPolls.board))).toEqual([]);

    primedPolls = await poll();
    await update(shown, { results_visible: true, min_responses_to_show: 3 });
    expect(await nextPoll(primedPolls.results)).toMatchObject({
      code: "RESULTS_HIDDEN",
      details: { reason: "min_responses_to_show" },
    });
    expect(counted(await nextPoll(primedPolls.board))).toEqual([]);

    primedPolls = await poll();
    await update(shown, { min_responses_to_show: null });
    await update(few, { min_responses_to_show: 2 });
    expect(data(await nextPoll(primedPolls.results)).results).toMatchObject({ correct_answers: 2 });
    expect(data(await nextPoll(primedPolls.fewResults)).results).toMatchObject({ correct_answers: 2 });
    expect(counted(await nextPoll(primedPolls.board))).toEqual([shown, few]);

    primedPolls = await poll();
    await update(few, { min_responses_to_show: 5 });
    expect(await nextPoll(primedPolls.fewResults)).toMatchObject({ code: "RESULTS_HIDDEN" });
    expect(counted(await nextPoll(primedPolls.board))).toEqual([shown]);
  });
});
