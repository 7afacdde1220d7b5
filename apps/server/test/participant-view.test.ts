import { appRouter } from "@caja/api";
import { proceduresOf } from "@caja/openapi";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call } from "./polling-setup";
import {
  BEGINNING,
  NEVER_SEEN,
  buildSession,
  comparable,
  data,
  fromRest,
  fromTrpc,
  q,
  restPath,
  type Outcome,
  type Session,
} from "./participant-view-setup";

/**
 * The participant view (packages/api/src/services/participant-view.ts), walked: every query
 * a participant's token may call, taken from the router, is called over REST and tRPC (one
 * at a time, batched, and again with the ETag it got: the kept-answer and 304 path) on a
 * session holding each hiding setting, and its answers are checked against the rule. A new
 * read path fails here until it has a row below. The server runs the shipped cache settings
 * (a burst answers cached values for 50 ms); participant-view-changes.test.ts changes the settings.
 */
let server: TestServer;
let s: Session;

beforeAll(async () => {
  server = await startTestServer({ CACHE_MIN_REFRESH_MS: "50", CACHE_MAX_STALE_MS: "1000" });
  s = await buildSession(server);
}, 60_000);
afterAll(async () => server?.stop());

type ActivityName = keyof Session["activities"];
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
    // 100 (the session has a few entries): a batch of six calls stays within TRPC_BATCH_MAX_BYTES.
    inputs: perActivity({ timestamp: BEGINNING, limit: 100 }),
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
  if (!Array.isArray(batched.body)) throw new Error(`${path} batch: ${batched.status} ${JSON.stringify(batched.body)}`);
  const entries = batched.body as unknown[];
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
