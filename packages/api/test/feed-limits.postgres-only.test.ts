import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";

/** The feed's page size: 100 when the caller names none, at most 1000 (README, Polling). */
let h: ApiHarness;
let at: { session_id: number; activity_id: string };
const TOTAL = 101;
beforeAll(async () => {
  h = await createApiHarness();
  const admin = h.caller(h.adminToken());
  const session = await admin.session.create({ title: "Page sizes" });
  const activity = await admin.activity.create({
    session_id: session.id,
    type: "brainstorm",
    title: "Ideas",
    config: {},
    response_mode: "multiple",
    // One participant gives all 101 answers: past the default per-participant cap (100).
    max_responses_per_participant: 1000,
  });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  const { token } = await h.caller().participant.join({ join_code: session.join_code, nickname: "Ada" });
  at = { session_id: session.id, activity_id: activity.id };
  const ada = h.caller(token);
  for (let i = 0; i < TOTAL; i += 10) {
    await Promise.all(
      Array.from({ length: Math.min(10, TOTAL - i) }, (_, j) => ada.response.submit({ ...at, response_data: { n: i + j } })),
    );
  }
  // A row enters the feed once every transaction of the database that started before it has ended: wait for all of them.
  const visible = async () => (await admin.response.feed({ ...at, timestamp: "2000-01-01T00:00:00Z", limit: 1000 })).count;
  for (let tries = 0; (await visible()) < TOTAL; tries++) {
    if (tries === 1600) throw new Error(`the feed showed ${await visible()} of ${TOTAL} rows after 40 s`);
    await new Promise((r) => setTimeout(r, 25));
  }
}, 60_000);
afterAll(async () => h?.close());

const feed = (extra: { limit?: number; cursor?: string } = {}) =>
  h.caller(h.adminToken()).response.feed({ ...at, timestamp: "2000-01-01T00:00:00Z", ...extra });

describe("response.feed page sizes", () => {
  it("answers 100 items without a limit, with has_more, and the cursor brings the rest", async () => {
    const first = await feed();
    expect(first.count).toBe(100);
    expect(first.has_more).toBe(true);
    const rest = await feed({ cursor: first.next_cursor });
    expect(rest).toMatchObject({ count: 1, has_more: false });
  });

  it("answers up to 1000 items when asked, and refuses 1001", async () => {
    const all = await feed({ limit: 1000 });
    expect(all).toMatchObject({ count: TOTAL, has_more: false });
    expect(new Set(all.items.map((i) => i.id)).size).toBe(TOTAL);
    await expect(feed({ limit: 1001 })).rejects.toMatchObject({
      cause: { code: "VALIDATION_ERROR", details: { field: "limit" } },
    });
  });
});
