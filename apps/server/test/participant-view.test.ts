import { appRouter } from "@caja/api";
import { proceduresOf } from "@caja/openapi";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call } from "./polling-setup";

/**
 * The participant view (packages/api/src/services/participant-view.ts), walked: every query
 * a participant's token may call, taken from the router, is called over REST and tRPC (one
 * at a time, batched, and again with the ETag it got: the kept-answer and 304 path) on a
 * session holding each hiding setting, and its answers are checked against the rule. A new
 * read path fails here until it has a row below. The server runs the shipped cache settings
 * (a burst answers cached values for 50 ms), so a change of setting must show on the next poll.
 */
let server: TestServer;
let s: Awaited<ReturnType<typeof buildSession>>;
const BEGINNING = "2000-01-01T00:00:00.000Z";
/** Text only entries the viewer never could see carry: no answer it gets may contain it. */
const NEVER_SEEN = "never-seen";

beforeAll(async () => {
  server = await startTestServer({ CACHE_MIN_REFRESH_MS: "50", CACHE_MAX_STALE_MS: "1000" });
  s = await buildSession();
}, 60_000);
afterAll(async () => server?.stop());

async function ok(method: string, path: string, token: string | undefined, body?: unknown): Promise<Record<string, unknown>> {
  const res = await call(server.url, method, `/api${path}`, token, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body ?? {};
}

/** One session with every hiding setting, built through REST; `viewer` is the participant whose view is walked. */
async function buildSession() {
  const owner = server.adminToken("alice");
  const session = await ok("POST", "/v1/sessions", owner, { title: "Every setting" });
  const sid = session.id as number;
  await ok("PATCH", `/v1/sessions/${sid}/status`, owner, { status: "active" });
  const join = async (nickname: string) =>
    (await ok("POST", "/v1/sessions/join", undefined, { join_code: session.join_code, nickname })).token as string;
  const [viewer, ben, cy] = [await join("viewer"), await join("ben"), await join("cy")];
  const create = async (body: Record<string, unknown>) =>
    (await ok("POST", `/v1/sessions/${sid}/activities`, owner, body)).id as string;
  const setStatus = (id: string, status: string) => ok("PATCH", `/v1/activities/${id}/status`, owner, { status });
  const answer = (token: string, id: string, data: unknown) =>
    ok("POST", `/v1/sessions/${sid}/activities/${id}/responses`, token, { response_data: data });
  const quiz = (title: string, points: number, fields: Record<string, unknown> = {}) =>
    create({ type: "quiz", title, config: { question: title, options: ["a", "b"], correct_options: ["a"], points }, ...fields });
  const answerQuiz = async (id: string) => {
    await setStatus(id, "active");
    for (const token of [viewer, ben]) await answer(token, id, { selected_options: ["a"] });
  };

  const shown = await quiz("shown", 1);
  const hidden = await quiz("hidden", 7001, { results_visible: false });
  const few = await quiz("few", 7013, { min_responses_to_show: 5 });
  for (const id of [shown, hidden, few]) await answerQuiz(id);

  // A moderated Q&A: one entry approved, others' never approved, and the viewer's own pending one.
  const qa = await create({ type: "qa", title: "Questions", config: { prompt: "Ask", moderation: true } });
  await setStatus(qa, "active");
  const entry = async (token: string, text: string) => (await answer(token, qa, { question_text: text })).id as string;
  const publicEntry = await entry(cy, "public question");
  await ok("PATCH", `/v1/sessions/${sid}/activities/${qa}/responses/${publicEntry}/moderation`, owner, { status: "approved" });
  const ownPending = await entry(viewer, "my own pending question");
  const neverSeen = [await entry(ben, `${NEVER_SEEN} pending`), await entry(ben, `${NEVER_SEEN} rejected`)];
  neverSeen.push(await entry(ben, `${NEVER_SEEN} deleted`));
  await ok("PATCH", `/v1/sessions/${sid}/activities/${qa}/responses/${neverSeen[1]}/moderation`, owner, { status: "rejected" });
  await ok("DELETE", `/v1/sessions/${sid}/activities/${qa}/responses/${neverSeen[2]}`, owner);

  // Last, so that it stays active (activating it completes the Q&A): points of a running quiz.
  const running = await quiz("running", 7019);
  await answerQuiz(running);
  const draft = await quiz("draft", 7027);
  // Every answer below the feed's watermark (older transactions on the cluster hold rows back).
  const feedOf = async (id: string) =>
    (await ok("GET", `/sessions/${sid}/activities/${id}/responses/since/${BEGINNING}?limit=1000`, owner)).items as unknown[];
  await vi.waitFor(async () => expect((await feedOf(qa)).length + (await feedOf(running)).length).toBe(5 + 2), {
    timeout: 20_000,
    interval: 50,
  });
  return {
    sid,
    joinCode: session.join_code as string,
    owner,
    viewer,
    activities: { shown, hidden, few, qa, running, draft },
    ownPending,
    neverSeen,
  };
}

/** An answer, whichever door it came through: the data, or the error's code and details. */
type Outcome = { data: Record<string, unknown> } | { code: string; details: Record<string, unknown> };
type Room = typeof s;
type ActivityName = keyof Room["activities"];
const nameOf = (id: unknown): ActivityName | undefined =>
  (Object.keys(s.activities) as ActivityName[]).find((name) => s.activities[name] === id);

/** Each participant read path: its inputs on this session, and what the rule says of each answer. */
interface ReadPath {
  inputs: () => Record<string, unknown>[];
  check: (outcome: Outcome, input: Record<string, unknown>) => void;
}

const perActivity =
  (extra: Record<string, unknown> = {}) =>
  () =>
    Object.values(s.activities).map((activity_id) => ({ session_id: s.sid, activity_id, ...extra }));
const data = (outcome: Outcome): Record<string, unknown> => {
  if (!("data" in outcome)) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.data;
};
const items = (outcome: Outcome) => data(outcome).items as Array<Record<string, unknown>>;
/** What may be said of an activity that is not the one in question: nothing needs checking beyond NEVER_SEEN. */
const nothingHidden = () => undefined;

/** Is the draft refused (404), as rule 1 says? True when the input names it. */
function draftRefused(outcome: Outcome, input: Record<string, unknown>): boolean {
  if (nameOf(input.activity_id) !== "draft") return false;
  expect(outcome).toMatchObject({ code: "NOT_FOUND" });
  return true;
}

const readPaths: Record<string, ReadPath> = {
  "session.get": { inputs: () => [{ session_id: s.sid }], check: nothingHidden },
  "session.status": { inputs: () => [{ session_id: s.sid }], check: nothingHidden },
  "session.leaderboard": {
    inputs: () => [{ session_id: s.sid }],
    // Rule 4: only the completed quiz whose results are shown counts; no hidden, too-few or running points.
    check: (outcome) => {
      expect(data(outcome).activity_ids).toEqual([s.activities.shown]);
      for (const entry of data(outcome).entries as Array<{ points: number }>) expect(entry.points).toBeLessThanOrEqual(1);
    },
  },
  "participant.list": { inputs: () => [{ session_id: s.sid, limit: 100, offset: 0 }], check: nothingHidden },
  "participant.preview": { inputs: () => [{ join_code: s.joinCode }], check: nothingHidden },
  "participant.nicknameAvailability": { inputs: () => [{ join_code: s.joinCode, nickname: "someone" }], check: nothingHidden },
  "activityType.list": { inputs: () => [{}], check: nothingHidden },
  "activity.list": {
    inputs: () => [{ session_id: s.sid, limit: 100, offset: 0 }],
    // Rules 1 and 2: no draft; a quiz's correct options only once it completed.
    check: (outcome) => {
      const listed = items(outcome);
      expect(listed.map((a) => nameOf(a.id))).not.toContain("draft");
      for (const activity of listed) expectConfigRule(activity);
    },
  },
  "activity.get": {
    inputs: perActivity(),
    check: (outcome, input) => {
      if (!draftRefused(outcome, input)) expectConfigRule(data(outcome));
    },
  },
  "activity.status": {
    inputs: perActivity(),
    // Rule 5: the Q&A counts its one approved entry, not the pending, rejected or deleted ones.
    check: (outcome, input) => {
      if (draftRefused(outcome, input)) return;
      const expected: Partial<Record<ActivityName, number>> = { shown: 2, hidden: 2, few: 2, running: 2, qa: 1 };
      expect(data(outcome).response_count).toBe(expected[nameOf(input.activity_id) as ActivityName]);
    },
  },
  "activity.results": {
    inputs: perActivity(),
    // Rule 4: refused while hidden or under the threshold, redacted while running.
    check: (outcome, input) => {
      const name = nameOf(input.activity_id);
      if (draftRefused(outcome, input)) return;
      if (name === "hidden") expect(outcome).toMatchObject({ code: "RESULTS_HIDDEN", details: { reason: "results_hidden" } });
      else if (name === "few") {
        expect(outcome).toMatchObject({ code: "RESULTS_HIDDEN", details: { reason: "min_responses_to_show" } });
      } else if (name === "running") expect(data(outcome).results).toMatchObject({ correct_answers: null });
      else if (name === "shown") expect(data(outcome).results).toMatchObject({ correct_answers: 2 });
      else expect(data(outcome).response_count).toBe(1);
    },
  },
  "response.list": {
    inputs: perActivity({ limit: 100, offset: 0 }),
    check: (outcome, input) => {
      if (!draftRefused(outcome, input)) expectOwnAndApproved(items(outcome), input);
    },
  },
  "response.feed": {
    inputs: perActivity({ timestamp: BEGINNING, limit: 1000 }),
    check: (outcome, input) => {
      if (!draftRefused(outcome, input)) expectOwnAndApproved(items(outcome), input);
    },
  },
};

/** Rule 2: no private config before completion. */
function expectConfigRule(activity: Record<string, unknown>) {
  const completed = activity.status === "completed";
  if (activity.type === "quiz") expect("correct_options" in (activity.config as object)).toBe(completed);
  if (!completed) expect(activity).not.toHaveProperty("private_config");
}

/** Rule 3: the viewer's own responses, and others' approved ones where entries are shared (the Q&A). */
function expectOwnAndApproved(got: Array<Record<string, unknown>>, input: Record<string, unknown>) {
  const name = nameOf(input.activity_id);
  const texts = got.map((r) => (r.response_data as { question_text?: string } | undefined)?.question_text ?? "answer");
  if (name === "qa") expect(texts.sort()).toEqual(["my own pending question", "public question"]);
  else expect(texts).toEqual(["answer"]);
}

/** Every query a participant's token may call: the router's, by their access rule. */
const participantQueries = [...proceduresOf(appRouter)]
  .filter(([, p]) => p.type === "query" && ["public", "member", "participant"].includes(p.meta?.access ?? ""))
  .map(([path]) => path)
  .sort();

function restPath(path: string, input: Record<string, unknown>): string {
  const template = proceduresOf(appRouter).get(path)?.meta?.openapi?.path;
  if (!template) throw new Error(`${path} has no REST path`);
  const query = new URLSearchParams();
  const filled = template.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(input[key])));
  for (const [key, value] of Object.entries(input)) if (!template.includes(`{${key}}`)) query.set(key, String(value));
  return `/api${filled}${query.size > 0 ? `?${query.toString()}` : ""}`;
}

const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

function fromRest(res: Awaited<ReturnType<typeof call>>): Outcome {
  const error = res.body?.error as { code: string; details: Record<string, unknown> } | undefined;
  return error ? { code: error.code, details: error.details } : { data: res.body ?? {} };
}

function fromTrpc(entry: unknown): Outcome {
  const { result, error } = entry as {
    result?: { data: Record<string, unknown> };
    error?: { data: { code: string; details: Record<string, unknown> } };
  };
  if (error) return { code: error.data.code, details: error.data.details };
  return { data: result?.data ?? {} };
}

/** `poll_interval_ms` may change between calls (the governor): compared without it. */
const comparable = (outcome: Outcome) => ("data" in outcome ? { ...outcome.data, poll_interval_ms: 0 } : outcome);

/**
 * Calls `path` with every input through every door, checks each answer against the rule, and
 * checks that the doors agree: REST, REST again with its ETag, tRPC GET, tRPC GET again with its
 * ETag, and one batched tRPC GET of every input.
 */
async function walk(path: string, token: string) {
  const route = readPaths[path];
  if (!route) throw new Error(`no read path row for ${path}`);
  const inputs = route.inputs();
  const checked = (outcome: Outcome, input: Record<string, unknown>, door: string) => {
    const text = JSON.stringify(outcome);
    expect(text, `${path} ${door}`).not.toContain(NEVER_SEEN);
    for (const id of s.neverSeen) expect(text, `${path} ${door}`).not.toContain(id);
    route.check(outcome, input);
    return outcome;
  };
  for (const input of inputs) {
    const rest = restPath(path, input);
    const first = await call(server.url, "GET", rest, token);
    const outcome = checked(fromRest(first), input, "REST");
    const etag = first.headers.get("etag");
    const again = await call(server.url, "GET", rest, token, undefined, etag ? { "if-none-match": etag } : {});
    if (again.status !== 304) expect(comparable(checked(fromRest(again), input, "REST again"))).toEqual(comparable(outcome));
    const trpc = `/trpc/${path}?input=${q(input)}`;
    const single = await call(server.url, "GET", trpc, token);
    expect(comparable(checked(fromTrpc(single.body), input, "tRPC GET"))).toEqual(comparable(outcome));
    const tag = single.headers.get("etag");
    const twice = await call(server.url, "GET", trpc, token, undefined, tag ? { "if-none-match": tag } : {});
    if (twice.status !== 304)
      expect(comparable(checked(fromTrpc(twice.body), input, "tRPC GET again"))).toEqual(comparable(outcome));
  }
  const batch = `/trpc/${inputs.map(() => path).join(",")}?batch=1&input=${q(Object.fromEntries(inputs.map((input, i) => [i, input])))}`;
  const batched = await call(server.url, "GET", batch, token);
  const entries = batched.body as unknown as unknown[];
  inputs.forEach((input, i) => checked(fromTrpc(entries[i]), input, "tRPC batch"));
}

describe("what a participant sees of each activity, through every read path", () => {
  it("has a row for every query a participant may call, and no other", () => {
    expect(participantQueries.length).toBeGreaterThan(0);
    expect(Object.keys(readPaths).sort()).toEqual(participantQueries);
  });

  for (const path of participantQueries) {
    it(`${path}: REST, REST with its ETag, tRPC GET (single, again, batched) all follow the rule`, async () => {
      await walk(path, s.viewer);
    });
  }
});

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
      ok("PUT", `/v1/sessions/${s.sid}/activities/${id}`, s.owner, fields);
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
