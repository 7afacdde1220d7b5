import { createApiHarness, type ApiHarness } from "./harness";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";

let h: ApiHarness;
beforeAll(async () => {
  h = await createApiHarness();
}, 60_000);
afterAll(async () => h?.close());

describe("a session from creation to responses (in-process)", () => {
  it("creates, starts, joins, submits and lists back", async () => {
    const admin = h.caller(h.adminToken("alice"));
    const session = await admin.session.create({ title: "Town hall" });
    expect(session).toMatchObject({ title: "Town hall", status: "draft", participant_count: 0, created_by: "alice" });
    expect(session.join_code).toMatch(/^[A-HJ-NP-Z2-9]{6}$/);

    const activity = await admin.activity.create({
      session_id: session.id,
      type: "poll",
      title: "Lunch?",
      config: { question: "Lunch?", options: ["a", "b"] },
    });
    expect(activity).toMatchObject({ order_index: 0, status: "draft", config: { options: ["a", "b"] } });

    await admin.session.setStatus({ session_id: session.id, status: "active" });
    await admin.activity.setStatus({ activity_id: activity.id, status: "active" });

    const anon = h.caller();
    const joined = await anon.participant.join({ join_code: session.join_code.toLowerCase(), nickname: "Bob" });
    expect(joined.participant.nickname).toBe("Bob");
    await expect(anon.participant.join({ join_code: session.join_code, nickname: "bob" })).rejects.toMatchObject({
      cause: { code: "NICKNAME_TAKEN" },
    });

    const bob = h.caller(joined.token);
    const r1 = await bob.response.submit({
      session_id: session.id,
      activity_id: activity.id,
      response_data: { selected_options: ["a"] },
    });
    const r2 = await bob.response.submit({
      session_id: session.id,
      activity_id: activity.id,
      response_data: { selected_options: ["b"] },
    });
    expect(r2.id).toBe(r1.id);
    expect(r2.response_data).toEqual({ selected_options: ["b"] });

    const st = await admin.activity.status({ session_id: session.id, activity_id: activity.id });
    expect(st.response_count).toBe(1);
    const ss = await bob.session.status({ session_id: session.id });
    expect(ss).toMatchObject({ participant_count: 1, current_activity_id: activity.id, status: "active" });

    // A row enters the feed once every transaction of the database that started before it has ended: wait for that.
    const feedFromStart = () =>
      admin.response.feed({ session_id: session.id, activity_id: activity.id, timestamp: "2000-01-01T00:00:00Z", limit: 100 });
    let feed = await feedFromStart();
    for (let tries = 0; feed.items.length === 0 && tries < 800; tries++) {
      await new Promise((resolve) => setTimeout(resolve, 25));
      feed = await feedFromStart();
    }
    expect(feed.items.filter(isFeedResponse).map((i) => i.response_data)).toEqual([{ selected_options: ["b"] }]);
    const again = await admin.response.feed({
      session_id: session.id,
      activity_id: activity.id,
      timestamp: "2000-01-01T00:00:00Z",
      cursor: feed.next_cursor,
      limit: 100,
    });
    expect(again.items).toEqual([]);

    const list = await admin.response.list({ session_id: session.id, activity_id: activity.id, limit: 20, offset: 0 });
    expect(list).toMatchObject({ total: 1, limit: 20, offset: 0, has_next: false, has_prev: false });
  });
});
