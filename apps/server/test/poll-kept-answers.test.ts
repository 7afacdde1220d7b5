import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, paths, type Room } from "./polling-setup";
import { rawRequest, type RawResponse } from "./raw-http";

/**
 * Poll answers kept by request and state (KeptAnswers in @caja/openapi): a poll whose
 * state (after its guard) has a kept answer gets it, 304 or the kept body, without the
 * procedure. Each answer's `poll_interval_ms` is read from deps.pollIntervalMs once for
 * the state, once by the resolver and once for the state after it: one read per call
 * is an answer made without the procedure, three one made by it.
 */
const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));
const quiz = { type: "quiz", title: "Q", config: { question: "Q", options: ["a", "b"], correct_options: ["a"] } };

/** A server whose interval reads are counted. */
async function countingServer(env: Record<string, string> = {}) {
  const server = await startTestServer(env);
  const counter = { reads: 0 };
  server.deps.pollIntervalMs = () => {
    counter.reads++;
    return 2000;
  };
  /** One GET over its own socket, with the interval reads it cost. */
  const poll = async (path: string, token?: string, headers: Record<string, string> = {}) => {
    const before = counter.reads;
    const res = await rawRequest(server.url, "GET", path, { ...(token ? { authorization: `Bearer ${token}` } : {}), ...headers });
    return Object.assign(res, { reads: counter.reads - before });
  };
  return { server, poll };
}

/** The headers a client sees, but the date (it differs between any two answers). */
/** The headers an answer is made of: all but those that name the moment and the request. */
function headersOf(res: RawResponse) {
  return Object.fromEntries(Object.entries(res.headers).filter(([name]) => name !== "date" && name !== "x-request-id"));
}

const submit = (server: TestServer, room: Room, token: string | undefined) =>
  call(server.url, "POST", paths(room).submit, token, { response_data: { selected_options: ["a"] } });

let server: TestServer;
let poll: Awaited<ReturnType<typeof countingServer>>["poll"];
let room: Room;
let other: Room;

beforeAll(async () => {
  ({ server, poll } = await countingServer());
  room = await openRoom(server, 4, "alice", quiz);
  other = await openRoom(server, 1, "bob", quiz);
});
afterAll(async () => server?.stop());

const participant = (i: number) => room.participants[i]?.token as string;
const resultsPath = () => `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}/results`;
const leaderboardPath = () => `/api/v1/sessions/${room.sessionId}/leaderboard`;

const stale = { "if-none-match": 'W/"stale"' };

/**
 * The answer computed by the procedure in a new state (after a write), then the same
 * request by another caller of the same view, answered from it. Retried if the state moved between them.
 */
async function computedThenKept(path: string, first: string, second: string, calls = 1) {
  return vi.waitFor(
    async () => {
      const computed = await poll(path, first, stale);
      expect(computed.status).toBe(200);
      expect(computed.reads).toBe(3 * calls);
      const kept = await poll(path, second, stale);
      expect(kept.status).toBe(200);
      expect(kept.reads).toBe(calls);
      return { computed, kept };
    },
    { timeout: 10_000, interval: 100 },
  );
}

/** The answer kept for the request's current state (computed now or before), as a second caller of the same view gets it. */
async function keptFor(path: string, first: string, second: string) {
  return vi.waitFor(
    async () => {
      const answer = await poll(path, first, stale);
      expect(answer.status).toBe(200);
      const kept = await poll(path, second, stale);
      expect([kept.status, kept.reads, kept.text]).toEqual([200, 1, answer.text]);
      return kept;
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe("poll answers kept by request and state", () => {
  const ids = () => ({ session_id: room.sessionId, activity_id: room.activityId });
  const routes = () => [
    { name: "GET session status", path: paths(room).session, calls: 1 },
    { name: "GET activity status", path: paths(room).activity, calls: 1 },
    { name: "GET results", path: resultsPath(), calls: 1 },
    { name: "GET /trpc/activity.results", path: `/trpc/activity.results?input=${q(ids())}`, calls: 1 },
    {
      name: "GET /trpc batch",
      path: `/trpc/activity.status,activity.results?batch=1&input=${q({ 0: ids(), 1: ids() })}`,
      calls: 2,
    },
  ];

  it("after a write, the next caller in the new state gets the computed answer without the procedure, byte for byte", async () => {
    expect((await submit(server, room, participant(0))).status).toBe(201);
    for (const route of routes()) {
      const { computed, kept } = await computedThenKept(route.path, participant(1), participant(2), route.calls);
      expect(kept.body.equals(computed.body), route.name).toBe(true);
      expect(headersOf(kept), route.name).toEqual(headersOf(computed));
      expect(kept.headers, route.name).toMatchObject({
        "cache-control": "private, no-cache",
        vary: "Authorization",
        "content-length": String(computed.body.length),
      });
      // A first poll (no validator) is answered from it too, and a current validator still gets 304.
      const first = await poll(route.path, participant(3));
      expect([first.status, first.reads, first.text], route.name).toEqual([200, route.calls, computed.text]);
      const current = await poll(route.path, participant(3), { "if-none-match": computed.headers.etag as string });
      expect([current.status, current.reads, current.headers.etag], route.name).toEqual([
        304,
        route.calls,
        computed.headers.etag,
      ]);
    }
  });

  it("a write gives the next poll a new answer, computed, never the kept one", async () => {
    const kept = await keptFor(resultsPath(), participant(1), participant(2));
    expect((await submit(server, room, participant(3))).status).toBe(201);
    const after = await poll(resultsPath(), participant(2), { "if-none-match": kept.headers.etag as string });
    expect(after.status).toBe(200);
    expect(after.reads).toBe(3);
    expect(after.headers.etag).not.toBe(kept.headers.etag);
    expect((JSON.parse(after.text) as { response_count: number }).response_count).toBe(
      (JSON.parse(kept.text) as { response_count: number }).response_count + 1,
    );
  });

  it("the owner and participants each get their own view's kept answer (results redacted until the quiz completes, leaderboard)", async () => {
    for (const path of [resultsPath(), leaderboardPath()]) {
      const asParticipant = await keptFor(path, participant(1), participant(2));
      const asOwner = await keptFor(path, room.admin, room.admin);
      expect(asOwner.text, path).not.toBe(asParticipant.text);
      // Both views are kept now: each caller still gets its own.
      const again = await poll(path, participant(3));
      expect([again.reads, again.text], path).toEqual([1, asParticipant.text]);
      const ownerAgain = await poll(path, room.admin, { "if-none-match": asParticipant.headers.etag as string });
      expect([ownerAgain.status, ownerAgain.reads, ownerAgain.text], path).toEqual([200, 1, asOwner.text]);
    }
    const results = JSON.parse((await poll(resultsPath(), participant(1))).text) as { results: { correct_answers: unknown } };
    expect(results.results.correct_answers).toBeNull();
  });

  it("the feed keeps only the empty page at the head, the same for every viewer; a page with responses is never shared", async () => {
    const all = await vi.waitFor(
      async () => {
        const page = await poll(paths(room).feed("2000-01-01T00:00:00Z"), room.admin);
        const body = JSON.parse(page.text) as { items: Array<{ participant_id: number }>; next_cursor: string };
        expect(new Set(body.items.map((i) => i.participant_id)).size).toBeGreaterThan(1);
        return body;
      },
      { timeout: 10_000, interval: 50 },
    );
    await poll(paths(room).feed("2000-01-01T00:00:00Z"), room.admin);
    const own = JSON.parse((await poll(paths(room).feed("2000-01-01T00:00:00Z"), participant(0))).text) as {
      items: Array<{ participant_id: number }>;
    };
    expect(own.items.map((i) => i.participant_id)).toEqual([room.participants[0]?.id]);
    const head = paths(room).feed("2000-01-01T00:00:00Z", `?cursor=${all.next_cursor}`);
    const kept = await keptFor(head, room.admin, participant(0));
    expect(JSON.parse(kept.text)).toMatchObject({ items: [], count: 0, has_more: false });
  });

  it("a caller the guard refuses gets its refusal, never a kept answer", async () => {
    const removed = participant(3);
    const participantId = room.participants[3]?.id as number;
    expect(
      (await call(server.url, "DELETE", `/api/v1/sessions/${room.sessionId}/participants/${participantId}`, room.admin)).status,
    ).toBe(204);
    const refused: Array<[string | undefined, number, string]> = [
      [undefined, 401, "UNAUTHORIZED"],
      ["not-a-jwt", 401, "UNAUTHORIZED"],
      [other.participants[0]?.token, 403, "FORBIDDEN"],
      [server.adminToken("mallory"), 403, "FORBIDDEN"],
      [removed, 401, "PARTICIPANT_REMOVED"],
    ];
    for (const path of [paths(room).session, paths(room).activity, resultsPath()]) {
      const kept = await keptFor(path, participant(1), participant(2));
      for (const [token, status, code] of refused) {
        const validators: Array<Record<string, string>> = [{}, { "if-none-match": kept.headers.etag as string }, stale];
        for (const headers of validators) {
          // The seat check confirms a token within 5 s of a removal.
          await vi.waitFor(
            async () => {
              const res = await poll(path, token, headers);
              expect([res.status, (JSON.parse(res.text) as { error: { code: string } }).error.code], `${path} ${token}`).toEqual([
                status,
                code,
              ]);
            },
            { timeout: 6_000, interval: 200 },
          );
        }
      }
    }
  });

  it("results hidden from participants: the owner's kept answer never reaches them", async () => {
    const patched = await call(
      server.url,
      "PUT",
      `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}`,
      room.admin,
      {
        results_visible: false,
      },
    );
    expect(patched.status).toBe(200);
    const kept = await keptFor(resultsPath(), room.admin, room.admin);
    const validators: Array<Record<string, string>> = [{}, { "if-none-match": kept.headers.etag as string }];
    for (const headers of validators) {
      const res = await poll(resultsPath(), participant(1), headers);
      expect(res.status).toBe(403);
      expect(JSON.parse(res.text)).toMatchObject({ error: { code: "RESULTS_HIDDEN" } });
    }
  });
});

describe("kept answers and limits", () => {
  let limited: Awaited<ReturnType<typeof countingServer>>;
  let bounded: Awaited<ReturnType<typeof countingServer>>;
  beforeAll(async () => {
    [limited, bounded] = await Promise.all([
      countingServer({ RATE_LIMIT_POLL: "4/60s" }),
      // Room for one status answer (body, URL, state and ETag), not two.
      countingServer({ POLL_KEPT_ANSWER_BYTES: "1000" }),
    ]);
  });
  afterAll(async () => Promise.all([limited?.server.stop(), bounded?.server.stop()]));

  it("a rate-limited caller gets 429 with Retry-After though an answer is kept; each answered poll counts once", async () => {
    const small = await openRoom(limited.server, 2);
    const path = paths(small).session;
    const [first, second] = small.participants.map((p) => p.token);
    expect((await limited.poll(path, first)).reads).toBe(3);
    const answers = [];
    for (let i = 0; i < 5; i++) answers.push(await limited.poll(path, second));
    expect(answers.map((a) => [a.status, a.reads])).toEqual([
      [200, 1],
      [200, 1],
      [200, 1],
      [200, 1],
      [429, 0],
    ]);
    expect(answers[4]?.headers["retry-after"]).toBeDefined();
    expect((await limited.poll(path, second, { "if-none-match": answers[0]?.headers.etag as string })).status).toBe(429);
  });

  it("past POLL_KEPT_ANSWER_BYTES the oldest answer is dropped", async () => {
    const small = await openRoom(bounded.server, 1);
    const token = small.participants[0]?.token;
    const [older, newer] = [paths(small).session, paths(small).activity];
    await vi.waitFor(
      async () => {
        expect((await bounded.poll(older, token)).reads).toBe(3);
        expect((await bounded.poll(older, token)).reads).toBe(1);
        expect((await bounded.poll(newer, token)).reads).toBe(3);
        expect((await bounded.poll(newer, token)).reads).toBe(1);
        expect((await bounded.poll(older, token)).reads).toBe(3);
      },
      { timeout: 10_000, interval: 100 },
    );
  });
});
