import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CajaError } from "../src/errors";
import { receiveStamp } from "../src/context";
import { submitResponse } from "../src/services/responses";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * Issue 10: a submission that reaches the database late (it sat in a driver
 * queue through an outage) must never replace a newer answer of the same
 * participant, and must never be applied once its request was answered 503.
 */
let h: ApiHarness;
let live: { sessionId: number; activityId: string; participantId: number };

beforeAll(async () => {
  h = await createApiHarness();
  const admin = h.caller(h.adminToken("owner"));
  const session = await admin.session.create({ title: "Late writes" });
  const activity = await admin.activity.create({ session_id: session.id, type: "custom", title: "Q" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const joined = await h.caller().participant.join({ join_code: session.join_code, nickname: "late" });
  live = { sessionId: session.id, activityId: activity.id, participantId: joined.participant.id };
}, 60_000);
afterAll(async () => h?.close());

const submit = (data: unknown, timing: { receivedAt: number; deadline?: number }) =>
  submitResponse(h.deps, { ...live, data, timing });
const stored = async () => {
  const owner = h.caller(h.adminToken("owner"));
  const page = await owner.response.list({ session_id: live.sessionId, activity_id: live.activityId, limit: 10, offset: 0 });
  return page.items.map((r) => r.response_data);
};
const codeOf = (promise: Promise<unknown>) =>
  promise.then(
    () => "applied",
    (error: unknown) => (error instanceof CajaError ? error.code : String(error)),
  );

describe("submitResponse: late requests", () => {
  it("an answer received before the stored one is not applied: 409 RESPONSE_SUPERSEDED, the newer answer stays", async () => {
    const older = receiveStamp();
    const newer = receiveStamp();
    await submit({ n: 2 }, { receivedAt: newer });
    expect(await codeOf(submit({ n: 1 }, { receivedAt: older }))).toBe("RESPONSE_SUPERSEDED");
    expect(await stored()).toEqual([{ n: 2 }]);
  });

  it("the retry of a superseded or failed request is a new request: it applies", async () => {
    await submit({ n: 3 }, { receivedAt: receiveStamp() });
    expect(await stored()).toEqual([{ n: 3 }]);
  });

  it("a statement that starts after its request's deadline writes nothing: 503 SERVICE_UNAVAILABLE with Retry-After", async () => {
    const receivedAt = receiveStamp();
    const error = await submit({ n: 4 }, { receivedAt, deadline: Date.now() - 1 }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CajaError);
    expect(error).toMatchObject({ code: "SERVICE_UNAVAILABLE", retryAfter: expect.any(Number) });
    expect(await stored()).toEqual([{ n: 3 }]);
  });

  it("a statement within its deadline applies and counts once", async () => {
    const result = await submit({ n: 5 }, { receivedAt: receiveStamp(), deadline: Date.now() + 5000 });
    expect(result.created).toBe(false);
    expect(await stored()).toEqual([{ n: 5 }]);
    const owner = h.caller(h.adminToken("owner"));
    const status = await owner.activity.status({ session_id: live.sessionId, activity_id: live.activityId });
    expect(status.response_count).toBe(1);
  });
});
