import { appRouter } from "@caja/api";
import { proceduresOf } from "@caja/openapi";
import { expect, vi } from "vitest";
import type { TestServer } from "./harness";
import { call } from "./polling-setup";

/** The session and the doors of the participant-view suites (participant-view*.test.ts). */

export const BEGINNING = "2000-01-01T00:00:00.000Z";
/** Text only entries the viewer never could see carry: no answer it gets may contain it. */
export const NEVER_SEEN = "never-seen";

export async function ok(
  server: TestServer,
  method: string,
  path: string,
  token: string | undefined,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await call(server.url, method, `/api${path}`, token, body);
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body ?? {};
}

/** One session with every hiding setting, built through REST; `viewer` is the participant whose view is walked. */
export async function buildSession(server: TestServer) {
  const req = (method: string, path: string, token: string | undefined, body?: unknown) => ok(server, method, path, token, body);
  const owner = server.adminToken("alice");
  const session = await req("POST", "/v1/sessions", owner, { title: "Every setting" });
  const sid = session.id as number;
  await req("PATCH", `/v1/sessions/${sid}/status`, owner, { status: "active" });
  const join = async (nickname: string) =>
    (await req("POST", "/v1/sessions/join", undefined, { join_code: session.join_code, nickname })).token as string;
  const [viewer, ben, cy] = [await join("viewer"), await join("ben"), await join("cy")];
  const create = async (body: Record<string, unknown>) =>
    (await req("POST", `/v1/sessions/${sid}/activities`, owner, body)).id as string;
  const setStatus = (id: string, status: string) => req("PATCH", `/v1/activities/${id}/status`, owner, { status });
  const answer = (token: string, id: string, data: unknown) =>
    req("POST", `/v1/sessions/${sid}/activities/${id}/responses`, token, { response_data: data });
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
  await req("PATCH", `/v1/sessions/${sid}/activities/${qa}/responses/${publicEntry}/moderation`, owner, { status: "approved" });
  const ownPending = await entry(viewer, "my own pending question");
  const neverSeen = [await entry(ben, `${NEVER_SEEN} pending`), await entry(ben, `${NEVER_SEEN} rejected`)];
  neverSeen.push(await entry(ben, `${NEVER_SEEN} deleted`));
  await req("PATCH", `/v1/sessions/${sid}/activities/${qa}/responses/${neverSeen[1]}/moderation`, owner, { status: "rejected" });
  await req("DELETE", `/v1/sessions/${sid}/activities/${qa}/responses/${neverSeen[2]}`, owner);

  // Last, so that it stays active (activating it completes the Q&A): points of a running quiz.
  const running = await quiz("running", 7019);
  await answerQuiz(running);
  const draft = await quiz("draft", 7027);
  // Every answer below the feed's watermark (older transactions on the cluster hold rows back).
  const feedOf = async (id: string) =>
    (await req("GET", `/sessions/${sid}/activities/${id}/responses/since/${BEGINNING}?limit=1000`, owner)).items as unknown[];
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

export type Session = Awaited<ReturnType<typeof buildSession>>;

/** An answer, whichever door it came through: the data, or the error's code and details. */
export type Outcome = { data: Record<string, unknown> } | { code: string; details: Record<string, unknown> };
export const data = (outcome: Outcome): Record<string, unknown> => {
  if (!("data" in outcome)) throw new Error(`refused: ${JSON.stringify(outcome)}`);
  return outcome.data;
};

export function restPath(path: string, input: Record<string, unknown>): string {
  const template = proceduresOf(appRouter).get(path)?.meta?.openapi?.path;
  if (!template) throw new Error(`${path} has no REST path`);
  const query = new URLSearchParams();
  const filled = template.replace(/\{(\w+)\}/g, (_, key: string) => encodeURIComponent(String(input[key])));
  for (const [key, value] of Object.entries(input)) if (!template.includes(`{${key}}`)) query.set(key, String(value));
  return `/api${filled}${query.size > 0 ? `?${query.toString()}` : ""}`;
}

export const q = (value: unknown) => encodeURIComponent(JSON.stringify(value));

export function fromRest(res: Awaited<ReturnType<typeof call>>): Outcome {
  const error = res.body?.error as { code: string; details: Record<string, unknown> } | undefined;
  return error ? { code: error.code, details: error.details } : { data: res.body ?? {} };
}

export function fromTrpc(entry: unknown): Outcome {
  const { result, error } = entry as {
    result?: { data: Record<string, unknown> };
    error?: { data: { code: string; details: Record<string, unknown> } };
  };
  if (error) return { code: error.data.code, details: error.data.details };
  return { data: result?.data ?? {} };
}

/** `poll_interval_ms` may change between calls (the governor): compared without it. */
export const comparable = (outcome: Outcome) => ("data" in outcome ? { ...outcome.data, poll_interval_ms: 0 } : outcome);
