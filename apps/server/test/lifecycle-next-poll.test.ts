import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { startTestServer, type TestServer } from "./harness";
import { call, openRoom, type Room } from "./polling-setup";

/**
 * Counts may lag while answers stream in (the cache's burst rule answers a value for
 * CACHE_MIN_REFRESH_MS), but a lifecycle change (an activity started or completed, the
 * current activity, results hidden or shown) shows on the next poll on the instance that
 * acknowledged it: React Query refetches right after a mutation, and a stale answer would
 * flip the screen back for a whole poll interval. The server runs the shipped cache
 * settings, and every round polls with the ETag it had (the kept-answer path) and without.
 */
let server: TestServer;
let room: Room;
const ROUNDS = 10;

beforeAll(async () => {
  server = await startTestServer({ CACHE_MIN_REFRESH_MS: "50", CACHE_MAX_STALE_MS: "1000" });
  room = await openRoom(server, 3, "alice", { type: "quick_vote", title: "Round 0", response_mode: "multiple" });
});
afterAll(async () => server?.stop());

const get = (path: string, token: string, etag?: string) =>
  call(server.url, "GET", path, token, undefined, etag ? { "if-none-match": etag } : {});

/** Participants answering `target()` back to back until stopped (409s once it has completed are expected). */
function streamAnswers(target: () => string) {
  let running = true;
  let stored = 0;
  const loops = room.participants.map(async ({ token }) => {
    while (running) {
      const path = `/api/v1/sessions/${room.sessionId}/activities/${target()}/responses`;
      const res = await call(server.url, "POST", path, token, { response_data: { choice: "a" } });
      if (res.status === 201) stored++;
    }
  });
  return {
    get stored() {
      return stored;
    },
    stop: async () => {
      running = false;
      await Promise.all(loops);
    },
  };
}

async function newActivity(title: string): Promise<string> {
  const res = await call(server.url, "POST", `/api/v1/sessions/${room.sessionId}/activities`, room.admin, {
    type: "quick_vote",
    title,
    response_mode: "multiple",
  });
  expect(res.status).toBe(201);
  return (res.body as { id: string }).id;
}

/** Waits until answers have been stored since `from` (the stream is running, so the keys are in a burst). */
async function answersFlowing(stream: { stored: number }, from = stream.stored) {
  for (const until = Date.now() + 10_000; stream.stored < from + 5;) {
    if (Date.now() > until) throw new Error("no answers were stored");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("the next poll after an acknowledged lifecycle change, while answers stream in", () => {
  it("shows the new current activity and both activities' new status, every round", async () => {
    let current = room.activityId;
    const stream = streamAnswers(() => current);
    const stale: string[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        const next = await newActivity(`Round ${round}`);
        const sessionPath = `/api/sessions/${room.sessionId}/status`;
        const previousPath = `/api/sessions/${room.sessionId}/activities/${current}/status`;
        const [sessionBefore, previousBefore] = await Promise.all([get(sessionPath, room.admin), get(previousPath, room.admin)]);
        await answersFlowing(stream);
        // Someone joins just before: the session's status is in a burst of writes too.
        const joined = await call(server.url, "POST", "/api/v1/sessions/join", undefined, {
          join_code: room.joinCode,
          nickname: `late ${round}`,
        });
        expect(joined.status).toBe(201);
        const started = await call(server.url, "PATCH", `/api/v1/activities/${next}/status`, room.admin, { status: "active" });
        expect(started.status).toBe(200);
        const [session, previous, previousConditional] = await Promise.all([
          get(sessionPath, room.admin, sessionBefore.headers.get("etag") ?? undefined),
          get(previousPath, room.admin),
          get(previousPath, room.admin, previousBefore.headers.get("etag") ?? undefined),
        ]);
        if (session.body?.current_activity_id !== next) stale.push(`round ${round}: session status ${session.status}`);
        if (previous.body?.status !== "completed")
          stale.push(`round ${round}: previous activity ${String(previous.body?.status)}`);
        if (previousConditional.status !== 200 || previousConditional.body?.status !== "completed") {
          stale.push(`round ${round}: previous activity (conditional) ${previousConditional.status}`);
        }
        current = next;
      }
    } finally {
      await stream.stop();
    }
    expect(stale).toEqual([]);
  });

  it("hides results from participants on their next poll, and shows them again, every round", async () => {
    const activity = await newActivity("Hidden and shown");
    expect(
      (await call(server.url, "PATCH", `/api/v1/activities/${activity}/status`, room.admin, { status: "active" })).status,
    ).toBe(200);
    const stream = streamAnswers(() => activity);
    const results = `/api/v1/sessions/${room.sessionId}/activities/${activity}/results`;
    const update = `/api/v1/sessions/${room.sessionId}/activities/${activity}`;
    const viewer = room.participants[0]?.token as string;
    const leaks: string[] = [];
    try {
      for (let round = 1; round <= ROUNDS; round++) {
        // Shown (the reveal of the round before is checked below): the ETag a client holds.
        const shown = await vi.waitFor(async () => {
          const res = await get(results, viewer);
          expect(res.status).toBe(200);
          return res;
        });
        await answersFlowing(stream);
        const hide = await call(server.url, "PUT", update, room.admin, { results_visible: false });
        expect(hide.status).toBe(200);
        const [plain, conditional] = await Promise.all([
          get(results, viewer),
          get(results, viewer, shown.headers.get("etag") ?? undefined),
        ]);
        if (plain.status !== 403) leaks.push(`round ${round}: hidden, got ${plain.status}`);
        if (conditional.status !== 403) leaks.push(`round ${round}: hidden (conditional), got ${conditional.status}`);
        await answersFlowing(stream);
        const reveal = await call(server.url, "PUT", update, room.admin, { results_visible: true });
        expect(reveal.status).toBe(200);
        const again = await get(results, viewer);
        if (again.status !== 200) leaks.push(`round ${round}: shown again, got ${again.status}`);
      }
    } finally {
      await stream.stop();
    }
    expect(leaks).toEqual([]);
  });
});
