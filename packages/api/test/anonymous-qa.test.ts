import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { isFeedResponse } from "../src/schemas/polling";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom, type Room } from "./results-fixtures";

let h: ApiHarness;
let room: Room;
beforeAll(async () => {
  h = await createApiHarness();
  room = await openRoom(h, 2, "anon-owner");
}, 60_000);
afterAll(async () => h?.close());

const callers = () => {
  const [ana, ben] = room.people;
  if (!ana || !ben) throw new Error("the room has two participants");
  return { ana, ben };
};

/** Each entry's author as the viewer's list and feed show it, by question text. */
async function authorsSeenBy(caller: Room["owner"], activityId: string) {
  const ref = { session_id: room.sessionId, activity_id: activityId };
  const list = await caller.response.list({ ...ref, limit: 100, offset: 0 });
  await h.feedSettled();
  const feed = await caller.response.feed({ ...ref, timestamp: "2000-01-01T00:00:00.000Z", limit: 100 });
  const byText = (items: Array<{ participant_id: number | null; response_data: unknown }>) =>
    Object.fromEntries(items.map((i) => [(i.response_data as { question_text: string }).question_text, i.participant_id]));
  return { list: byText(list.items), feed: byText(feed.items.filter(isFeedResponse)) };
}

describe("an anonymous Q&A: participants do not learn who wrote others' entries", () => {
  it("others' entries carry participant_id null for participants; own entries and the owner's view keep the author", async () => {
    const { ana, ben } = callers();
    const id = await room.activity("qa", { prompt: "Ask", anonymous: true });
    const ask = (who: typeof ana, text: string) =>
      who.caller.response.submit({ session_id: room.sessionId, activity_id: id, response_data: { question_text: text } });
    const own = await ask(ana, "from Ana");
    // The author's own answer names it.
    expect(own.participant_id).toBe(ana.id);
    await ask(ben, "from Ben");

    await expect(authorsSeenBy(ben.caller, id)).resolves.toEqual({
      list: { "from Ana": null, "from Ben": ben.id },
      feed: { "from Ana": null, "from Ben": ben.id },
    });
    await expect(authorsSeenBy(ana.caller, id)).resolves.toEqual({
      list: { "from Ana": ana.id, "from Ben": null },
      feed: { "from Ana": ana.id, "from Ben": null },
    });
    await expect(authorsSeenBy(room.owner, id)).resolves.toEqual({
      list: { "from Ana": ana.id, "from Ben": ben.id },
      feed: { "from Ana": ana.id, "from Ben": ben.id },
    });
  });

  it("a Q&A that is not anonymous shows every author", async () => {
    const { ana, ben } = callers();
    const id = await room.activity("qa", { prompt: "Ask" });
    await ana.caller.response.submit({ session_id: room.sessionId, activity_id: id, response_data: { question_text: "named" } });
    await expect(authorsSeenBy(ben.caller, id)).resolves.toEqual({ list: { named: ana.id }, feed: { named: ana.id } });
  });
});
