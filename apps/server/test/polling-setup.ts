import type { TestServer } from "./harness";

export interface Room {
  sessionId: number;
  activityId: string;
  joinCode: string;
  admin: string;
  participants: Array<{ id: number; token: string }>;
}

export async function call(
  base: string,
  method: string,
  path: string,
  token?: string,
  body?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await fetch(base + path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body === undefined ? {} : { "content-type": "application/json" }),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? (JSON.parse(text) as Record<string, unknown>) : null };
}

/**
 * An active session with an active activity and `n` joined participants, built through the REST API.
 * `activity` adds to (or overrides) the activity's fields, e.g. `{ response_mode: "multiple" }`.
 */
export async function openRoom(
  server: Pick<TestServer, "url" | "adminToken">,
  n: number,
  owner = "alice",
  activity: Record<string, unknown> = {},
): Promise<Room> {
  const admin = server.adminToken(owner);
  const base = server.url;
  const session = (await call(base, "POST", "/api/v1/sessions", admin, { title: "Polling room" })).body as {
    id: number;
    join_code: string;
  };
  const created = (
    await call(base, "POST", `/api/v1/sessions/${session.id}/activities`, admin, {
      // Unregistered: these tests are about polling and feeds, with free JSON answers.
      type: "quick_vote",
      title: "Q1",
      config: { question: "Q1", options: ["a", "b"] },
      ...activity,
    })
  ).body as { id: string };
  await call(base, "PATCH", `/api/v1/sessions/${session.id}/status`, admin, { status: "active" });
  await call(base, "PATCH", `/api/v1/activities/${created.id}/status`, admin, { status: "active" });
  const participants = [];
  for (let i = 0; i < n; i++) {
    const joined = (
      await call(base, "POST", "/api/v1/sessions/join", undefined, { join_code: session.join_code, nickname: `p${i}` })
    ).body as {
      participant: { id: number };
      token: string;
    };
    participants.push({ id: joined.participant.id, token: joined.token });
  }
  return { sessionId: session.id, activityId: created.id, joinCode: session.join_code, admin, participants };
}

export const paths = (room: Room) => ({
  session: `/api/sessions/${room.sessionId}/status`,
  activity: `/api/sessions/${room.sessionId}/activities/${room.activityId}/status`,
  feed: (ts: string, q = "") =>
    `/api/sessions/${room.sessionId}/activities/${room.activityId}/responses/since/${encodeURIComponent(ts)}${q}`,
  submit: `/api/v1/sessions/${room.sessionId}/activities/${room.activityId}/responses`,
});

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `check` until it returns true or `ms` pass; returns the elapsed time or Infinity. */
export async function within(ms: number, check: () => boolean | Promise<boolean>, every = 25): Promise<number> {
  const start = Date.now();
  while (Date.now() - start <= ms) {
    if (await check()) return Date.now() - start;
    await sleep(every);
  }
  return Number.POSITIVE_INFINITY;
}
