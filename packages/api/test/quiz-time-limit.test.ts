import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

/** Issue 9: a quiz with time_limit_s carries ends_at, refuses late answers and completes itself. */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

const quiz = (time_limit_s?: number) => ({
  question: "2+2?",
  options: ["3", "4"],
  correct_options: ["4"],
  ...(time_limit_s === undefined ? {} : { time_limit_s }),
});

async function liveQuiz(config: Record<string, unknown>) {
  const admin = h.caller(h.adminToken("alice"));
  const session = await admin.session.create({ title: "Quiz" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  const activity = await admin.activity.create({ session_id: session.id, type: "quiz", config });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "quick" });
  const participant = h.caller(joined.token);
  const ref = { session_id: session.id, activity_id: activity.id };
  return { admin, participant, ref, session };
}

/** Polls `read` until `done` holds; timing-based sleeps flake on a loaded machine. */
async function waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 15_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (done(value) || Date.now() > until) return value;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe("quiz with time_limit_s", () => {
  it("activation sets ends_at = started_at + time limit; the status carries it", async () => {
    const { admin, participant, ref } = await liveQuiz(quiz(30));
    const active = await admin.activity.setStatus({ activity_id: ref.activity_id, status: "active" });
    expect(active.ends_at).not.toBeNull();
    const startedAt = Date.parse(active.started_at ?? "");
    expect(Date.parse(active.ends_at ?? "") - startedAt).toBe(30_000);
    expect((await participant.activity.status(ref)).ends_at).toBe(active.ends_at);
    expect((await participant.response.submit({ ...ref, response_data: { selected_options: ["4"] } })).id).toBeTruthy();
  });

  it("without a time limit there is no ends_at", async () => {
    const { admin, participant, ref } = await liveQuiz(quiz());
    const active = await admin.activity.setStatus({ activity_id: ref.activity_id, status: "active" });
    expect(active.ends_at).toBeNull();
    expect((await participant.activity.status(ref)).ends_at).toBeNull();
  });

  it("after ends_at: an answer is 409 ACTIVITY_TIME_UP and the activity completes itself (completed_at = ends_at)", async () => {
    const { admin, participant, ref } = await liveQuiz(quiz(1));
    const active = await admin.activity.setStatus({ activity_id: ref.activity_id, status: "active" });
    const endsAt = Date.parse(active.ends_at ?? "");
    // Wait on the clock, not a fixed sleep: the condition is "ends_at has passed".
    await waitFor(
      () => Promise.resolve(Date.now()),
      (now) => now > endsAt + 50,
    );
    const error = await participant.response
      .submit({ ...ref, response_data: { selected_options: ["4"] } })
      .catch((e: unknown) => e);
    expect(error).toMatchObject({ cause: { code: "ACTIVITY_TIME_UP" } });
    const done = await admin.activity.get(ref);
    expect(done).toMatchObject({ status: "completed", completed_at: active.ends_at });
    expect((await admin.response.list({ ...ref, limit: 10, offset: 0 })).total).toBe(0);
  });

  it("a poll of the status past ends_at completes it; participants then see the correct options", async () => {
    const { admin, participant, ref } = await liveQuiz(quiz(1));
    await admin.activity.setStatus({ activity_id: ref.activity_id, status: "active" });
    expect((await participant.activity.get(ref)).config).not.toHaveProperty("correct_options");
    const status = await waitFor(
      () => participant.activity.status(ref),
      (s) => s.status === "completed",
    );
    expect(status.status).toBe("completed");
    expect((await participant.activity.get(ref)).config).toMatchObject({ correct_options: ["4"] });
  });

  it("a read of the list past ends_at completes it too", async () => {
    const { admin, participant, ref, session } = await liveQuiz(quiz(1));
    await admin.activity.setStatus({ activity_id: ref.activity_id, status: "active" });
    const page = await waitFor(
      () => participant.activity.list({ session_id: session.id, limit: 10, offset: 0 }),
      (p) => p.items[0]?.status === "completed",
    );
    expect(page.items[0]).toMatchObject({ status: "completed", config: { correct_options: ["4"] } });
  });

  it("answers before ends_at are taken: one answer in time, refused once the time is up", async () => {
    const { admin, participant, ref } = await liveQuiz(quiz(1));
    await admin.activity.setStatus({ activity_id: ref.activity_id, status: "active" });
    const answer = () => participant.response.submit({ ...ref, response_data: { selected_options: ["4"] } });
    expect((await answer()).response_data).toEqual({ selected_options: ["4"] });
    const refused = await waitFor(
      () =>
        answer().then(
          () => "ok",
          (e: { cause?: { code?: string } }) => e.cause?.code ?? "?",
        ),
      (code) => code !== "ok",
    );
    expect(refused).toMatch(/^(ACTIVITY_TIME_UP|ACTIVITY_NOT_ACTIVE)$/);
    expect((await admin.activity.status(ref)).status).toBe("completed");
  });
});
