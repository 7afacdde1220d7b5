import { ReadThroughCache, createCaller, createContext } from "@caja/api";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, paths, type Room } from "./polling-setup";

/**
 * Conditional polls are answered before the procedure runs (checkPoll in @caja/api,
 * KeptAnswers in @caja/openapi): after the guard, from the answer kept for the
 * request's state (poll-kept-answers.test.ts: the kept 200s). Each answer's `poll_interval_ms` is read from deps.pollIntervalMs, once for
 * the state and once by the resolver (and once more for the state after it): counting
 * those calls tells a 304 answered before the procedure from one answered after it.
 */
let server: TestServer;
let room: Room;
let other: Room;
let intervalReads = 0;
const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

beforeAll(async () => {
  // Cached entries live as long as the config allows (10 s), longer than any wait below: a write that
  // failed to invalidate one is seen as such, not hidden once the entry expires.
  server = await startTestServer({ CACHE_LOCAL_TTL_MS: "10000" });
  // A fixed interval: the governor of a loaded machine may raise it, a real change of every body.
  server.deps.pollIntervalMs = () => {
    intervalReads++;
    return 2000;
  };
  room = await openRoom(server, 2);
  other = await openRoom(server, 1, "bob");
  await call(server.url, "POST", paths(room).submit, room.participants[0]?.token, { response_data: { choice: "a" } });
});
afterAll(async () => server?.stop());

const get = (path: string, token?: string, headers?: Record<string, string>) =>
  call(server.url, "GET", path, token, undefined, headers);

interface PollRoute {
  name: string;
  path: () => Promise<string> | string;
  token: () => string;
  /** Calls in the request (a tRPC batch makes several). */
  calls?: number;
}

/** The feed's head, once it shows the answers (a row shows once every older transaction in the cluster has ended). */
async function feedHead(token: string) {
  return vi.waitFor(
    async () => {
      const all = (await get(paths(room).feed("2000-01-01T00:00:00Z", "?limit=100"), token)).body as {
        items: Array<{ updated_at: string }>;
        next_cursor: string;
      };
      expect(all.items.length).toBeGreaterThan(0);
      return {
        cursor: all.next_cursor,
        newest: all.items
          .map((i) => i.updated_at)
          .sort()
          .at(-1) as string,
      };
    },
    { timeout: 10_000, interval: 50 },
  );
}

/** The owner's whole feed read past the server's cache (through an empty cache of its own): what the database shows. */
async function uncachedFeed() {
  const deps = { ...server.deps, cache: new ReadThroughCache() };
  const headers = new Headers({ authorization: `Bearer ${room.admin}` });
  const caller = createCaller(createContext({ headers, deps, ip: "127.0.0.1" }));
  const ids = { session_id: room.sessionId, activity_id: room.activityId };
  return caller.response.feed({ ...ids, timestamp: "2000-01-01T00:00:00Z", limit: 100 });
}

const owner = () => room.admin;
const participant = () => room.participants[1]?.token as string;
const routes: PollRoute[] = [
  { name: "GET session status", path: () => paths(room).session, token: participant },
  { name: "GET activity status", path: () => paths(room).activity, token: participant },
  {
    name: "GET results (owner)",
    path: () => `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}/results`,
    token: owner,
  },
  {
    name: "GET results (participant)",
    path: () => `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}/results`,
    token: participant,
  },
  { name: "GET leaderboard", path: () => `/api/v1/sessions/${room.sessionId}/leaderboard`, token: owner },
  {
    name: "GET responses/since by cursor, at the head",
    path: async () => paths(room).feed("2000-01-01T00:00:00Z", `?cursor=${(await feedHead(owner())).cursor}`),
    token: owner,
  },
  {
    name: "GET responses/since by timestamp, at the newest response",
    path: async () => paths(room).feed((await feedHead(owner())).newest),
    token: participant,
  },
  {
    name: "GET /trpc/session.status",
    path: () => `/trpc/session.status?input=${q({ session_id: room.sessionId })}`,
    token: participant,
  },
  {
    name: "GET /trpc batch of activity.status and activity.results",
    path: () => {
      const ids = { session_id: room.sessionId, activity_id: room.activityId };
      return `/trpc/activity.status,activity.results?batch=1&input=${q({ 0: ids, 1: ids })}`;
    },
    token: owner,
    calls: 2,
  },
];

/** The poll answered 304 twice in a row with its ETag, the second time before the procedure (retried if the state moved meanwhile). */
async function primed(route: PollRoute, path: string): Promise<{ etag: string; body: unknown }> {
  const calls = route.calls ?? 1;
  return vi.waitFor(
    async () => {
      const full = await get(path, route.token());
      expect(full.status).toBe(200);
      const etag = full.headers.get("etag") as string;
      expect((await get(path, route.token(), { "if-none-match": etag })).status).toBe(304);
      const before = intervalReads;
      const fast = await get(path, route.token(), { "if-none-match": etag });
      expect(fast.status).toBe(304);
      expect(fast.headers.get("etag")).toBe(etag);
      expect(intervalReads - before).toBe(calls);
      return { etag, body: full.body };
    },
    { timeout: 10_000, interval: 100 },
  );
}

describe("conditional polls answered before the procedure", () => {
  for (const route of routes) {
    it(`${route.name}: 304 from the kept answer, whose ETag is the full answer's for the same state`, async () => {
      const path = await route.path();
      // Primed again if the state moved before the full answer (a feed's head can, while
      // other files' transactions on the cluster hold rows back).
      const { etag } = await vi.waitFor(
        async () => {
          const { etag, body } = await primed(route, path);
          // Another validator: the full answer kept for the same state, without the procedure: same ETag, same body.
          const before = intervalReads;
          const full = await get(path, route.token(), { "if-none-match": 'W/"another"' });
          expect(full.status).toBe(200);
          expect(full.headers.get("etag")).toBe(etag);
          expect(full.body).toEqual(body);
          expect(intervalReads - before).toBe(route.calls ?? 1);
          return { etag };
        },
        { timeout: 15_000, interval: 100 },
      );
      // A list of validators naming it, as a browser may send.
      expect((await get(path, route.token(), { "if-none-match": `W/"another", ${etag}` })).status).toBe(304);
    });
  }

  it("after a write every poll's old ETag gets 200 with the new answer, never 304", async () => {
    const primedBefore = await Promise.all(
      routes.map(async (route) => {
        const path = await route.path();
        return { route, path, ...(await primed(route, path)) };
      }),
    );
    // A join (session status), and an answer of the polling participant (activity status, results,
    // the feeds: a participant's feed of this type holds its own answers only).
    const joined = await call(server.url, "POST", "/api/v1/sessions/join", undefined, {
      join_code: room.joinCode,
      nickname: "late",
    });
    expect(joined.status).toBe(201);
    const submitted = await call(server.url, "POST", paths(room).submit, participant(), { response_data: { choice: "b" } });
    expect(submitted.status).toBe(201);
    // The feed shows the answer once older transactions of its database have ended (until then its 304 is
    // right): wait for that past the server's cache, so that every poll below must change at once.
    await vi.waitFor(
      async () => expect(JSON.stringify((await uncachedFeed()).items)).toContain(JSON.stringify({ choice: "b" })),
      { timeout: 10_000, interval: 50 },
    );
    for (const { route, path, etag } of primedBefore) {
      if (route.name === "GET leaderboard") continue; // no quiz in this room: its answer does not change
      const res = await get(path, route.token(), { "if-none-match": etag });
      expect(res.status, route.name).toBe(200);
      expect(res.headers.get("etag"), route.name).not.toBe(etag);
    }
  });

  it("a caller without access gets 401, 403 or 404 with the current ETag, never 304, and the same answer as without it", async () => {
    const stranger = other.participants[0]?.token as string;
    const otherAdmin = server.adminToken("mallory");
    for (const route of routes) {
      const path = await route.path();
      const { etag } = await primed(route, path);
      for (const [token, status] of [
        [undefined, 401],
        ["not-a-jwt", 401],
        [otherAdmin, 403],
        [stranger, 403],
      ] as const) {
        const conditional = await get(path, token, { "if-none-match": etag });
        const plain = await get(path, token);
        const expected = route.name.startsWith("GET /trpc batch") ? 401 : status;
        if (route.name.startsWith("GET /trpc batch") && token !== undefined && token !== "not-a-jwt") {
          // A batch with several calls answers one status per call (tRPC's 207 or the shared one).
          expect(conditional.status, route.name).not.toBe(304);
        } else {
          expect(conditional.status, `${route.name} ${String(token)}`).toBe(expected);
        }
        expect(conditional.status).toBe(plain.status);
        expect(conditional.body).toEqual(plain.body);
      }
    }
  });

  it("a draft activity is 404 to a participant holding the owner's current ETag", async () => {
    const draft = (
      await call(server.url, "POST", `/api/v1/sessions/${room.sessionId}/activities`, room.admin, {
        type: "quick_vote",
        title: "Later",
        config: { question: "Later", options: ["a"] },
      })
    ).body as { id: string };
    const path = `/api/sessions/${room.sessionId}/activities/${draft.id}/status`;
    const { etag } = await primed({ name: "draft status", path: () => path, token: owner }, path);
    const res = await get(path, participant(), { "if-none-match": etag });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: { code: "NOT_FOUND" } });
  });
});

describe("rate limits on conditional polls", () => {
  let limited: TestServer;
  beforeAll(async () => {
    limited = await startTestServer({ RATE_LIMIT_POLL: "4/60s" });
  });
  afterAll(async () => limited?.stop());

  it("a conditional poll that the procedure answers is counted once", async () => {
    const small = await openRoom(limited, 1);
    const token = small.participants[0]?.token as string;
    const path = `/api/sessions/${small.sessionId}/status`;
    const statuses = [];
    for (let i = 0; i < 5; i++) {
      const res = await call(limited.url, "GET", path, token, undefined, { "if-none-match": 'W/"stale"' });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([200, 200, 200, 200, 429]);
  });
});
