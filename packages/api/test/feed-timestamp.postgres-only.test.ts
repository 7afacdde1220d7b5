import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { submitResponse } from "../src/services/responses";
import { createApiHarness, type ApiHarness } from "./harness";

/**
 * A writer's updated_at is its transaction's start time, so the row at the
 * feed's head (the newest position) need not carry the newest updated_at. A
 * second connection is needed to commit in between: PostgreSQL only.
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

/** A live session with one active free-form activity, owned by "owner". */
async function liveActivity(title: string) {
  const admin = h.caller(h.adminToken("owner"));
  const session = await admin.session.create({ title });
  const activity = await admin.activity.create({ session_id: session.id, type: "custom", title: "Words" });
  await admin.session.setStatus({ session_id: session.id, status: "active" });
  await admin.activity.setStatus({ activity_id: activity.id, status: "active" });
  return { admin, session, activity, ids: { session_id: session.id, activity_id: activity.id } };
}

describe("GET .../responses/since/{timestamp} with a writer that started early and committed late", () => {
  it("still shows a poller at the late row's updated_at the answer updated after it", async () => {
    const { admin, session, activity, ids } = await liveActivity("Late writer");
    const early = await h.caller().participant.join({ join_code: session.join_code, nickname: "early" });
    const later = await h.caller().participant.join({ join_code: session.join_code, nickname: "later" });

    await h.db.db.transaction(async (tx) => {
      const [now] = await queryRows<{ started: string }>(tx, sql`select now()::text as started`);
      if (!now) throw new Error("select now() answered no row");
      const { started } = now;
      // The other writer starts (and commits) strictly later, at millisecond precision.
      for (;;) {
        const answer = await h.caller(later.token).response.submit({ ...ids, response_data: { n: 2 } });
        if (Date.parse(answer.updated_at) > Date.parse(started) + 1) break;
      }
      await submitResponse(
        { ...h.deps, db: tx },
        { sessionId: session.id, activityId: activity.id, participantId: early.participant.id, data: { n: 1 } },
      );
    });

    const feed = (timestamp: string) => admin.response.feed({ ...ids, timestamp, limit: 100 });
    // Rows show once every older writing transaction of the cluster has ended: wait for that, boundedly.
    let all = await feed("2000-01-01T00:00:00.000Z");
    for (const until = Date.now() + 10_000; all.items.length < 2 && Date.now() < until;) {
      await new Promise((r) => setTimeout(r, 25));
      all = await feed("2000-01-01T00:00:00.000Z");
    }
    const responses = all.items.filter(isFeedResponse);
    const [head, newer] = [responses.at(-1), responses.at(0)];
    // The head (newest position) is the early writer's row, with the older updated_at.
    expect(head?.response_data).toEqual({ n: 1 });
    expect(newer?.response_data).toEqual({ n: 2 });
    expect(Date.parse(newer?.updated_at ?? "")).toBeGreaterThan(Date.parse(head?.updated_at ?? ""));

    const after = await feed(head?.updated_at ?? "");
    expect(after.items.filter(isFeedResponse).map((i) => i.response_data)).toEqual([{ n: 2 }]);
  });

  it("shows a row as soon as it is visible, though its head was cached while an older transaction hid it", async () => {
    const { admin, session, ids } = await liveActivity("Hidden head");
    const ada = await h.caller().participant.join({ join_code: session.join_code, nickname: "ada" });
    const feed = (cursor?: string) => admin.response.feed({ ...ids, timestamp: "2000-01-01T00:00:00.000Z", cursor, limit: 100 });
    const start = await feed();

    // An older transaction with an id stays open while the answer commits: the answer's
    // write invalidates the feed's head before the row can be seen, and the polls below
    // load (and cache) the head meanwhile.
    let release = () => {};
    const released = new Promise<void>((resolve) => (release = resolve));
    let holding = () => {};
    const held = new Promise<void>((resolve) => (holding = resolve));
    const older = h.db.db.transaction(async (tx) => {
      await queryRows(tx, sql`select txid_current()::text as txid`);
      holding();
      await released;
    });
    await held;
    const answer = await h.caller(ada.token).response.submit({ ...ids, response_data: { n: 1 } });
    expect((await feed()).items).toEqual([]);
    expect((await feed(start.next_cursor)).items).toEqual([]);
    release();
    await older;

    // Other files' transactions on the cluster may hold the row back a while longer.
    const visible = async () =>
      (
        await queryRows<{ visible: boolean }>(
          h.db.db,
          sql`select txid < pg_snapshot_xmin(pg_current_snapshot()) as visible from user_responses where id = ${answer.id}`,
        )
      )[0]?.visible === true;
    for (const until = Date.now() + 20_000; !(await visible());) {
      if (Date.now() > until) throw new Error("the answer stayed below the cluster's horizon for 20 s");
      await new Promise((r) => setTimeout(r, 10));
    }
    expect((await feed()).items.map((i) => i.id)).toEqual([answer.id]);
    expect((await feed(start.next_cursor)).items.map((i) => i.id)).toEqual([answer.id]);
  });
});
