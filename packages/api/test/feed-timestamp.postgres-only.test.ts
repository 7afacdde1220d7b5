import { queryRows, sql } from "@caja/db";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApiHarness, type ApiHarness } from "./harness";
import { liveActivity } from "./live-activity";

/**
 * A row committed while an older transaction is open: the feed's head may be cached
 * meanwhile. A second connection holds that transaction: PostgreSQL only. (A writer
 * that started early and commits late: feed-late-writer.postgres-only.test.ts.)
 */
let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

describe("GET .../responses/since/{timestamp} with an older transaction open", () => {
  it("shows a row as soon as it is visible, though its head was cached while an older transaction hid it", async () => {
    const { admin, ids, joined } = await liveActivity(h, "Hidden head", ["ada"]);
    const [ada] = joined as [(typeof joined)[0]];
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
    await h.feedSettled();
    expect((await feed()).items.map((i) => i.id)).toEqual([answer.id]);
    expect((await feed(start.next_cursor)).items.map((i) => i.id)).toEqual([answer.id]);
  });
});
