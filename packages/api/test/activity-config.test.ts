import { defineActivityType } from "@caja/activities";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { z } from "zod";
import { createApiHarness, type ApiHarness } from "./harness";
import { openRoom } from "./results-fixtures";

/** A deployer's type, registered beside the built-ins. */
const bingo = defineActivityType({
  type: "bingo",
  config: z.strictObject({ size: z.number().int().min(3) }),
  response: z.strictObject({ cells: z.array(z.number().int()) }),
  result: z.object({ cards: z.number().int() }),
  mode: "single",
  aggregate: (_config, responses) => ({ cards: responses.length }),
});

let h: ApiHarness;
let strict: ApiHarness;
beforeAll(async () => {
  [h, strict] = await Promise.all([
    createApiHarness({ activityTypes: [bingo] }),
    createApiHarness({ allowCustomActivityTypes: false }),
  ]);
}, 60_000);
afterAll(async () => Promise.all([h?.close(), strict?.close()]));

async function sessionOf(harness: ApiHarness) {
  const admin = harness.caller(harness.adminToken("alice"));
  return { admin, session: await admin.session.create({ title: "Types" }) };
}

describe("activity.create validates a registered type's config", () => {
  it("stores a valid poll config as validated (trimmed)", async () => {
    const { admin, session } = await sessionOf(h);
    const activity = await admin.activity.create({
      session_id: session.id,
      type: "poll",
      title: "Lunch",
      config: { question: " Lunch? ", options: ["Pizza ", "Soup"] },
    });
    expect(activity.config).toEqual({ question: "Lunch?", options: ["Pizza", "Soup"] });
  });

  it("refuses a poll without a question: VALIDATION_ERROR at config.question", async () => {
    const { admin, session } = await sessionOf(h);
    await expect(
      admin.activity.create({ session_id: session.id, type: "poll", title: "Lunch", config: { options: ["a", "b"] } }),
    ).rejects.toMatchObject({
      cause: {
        code: "VALIDATION_ERROR",
        message: "Invalid activity configuration",
        details: { field: "config.question", reason: "Required field missing" },
      },
    });
  });

  it("lists every issue when there are several", async () => {
    const { admin, session } = await sessionOf(h);
    await expect(admin.activity.create({ session_id: session.id, type: "rating", title: "r", config: {} })).rejects.toMatchObject(
      {
        cause: {
          details: {
            field: "config.question",
            issues: [
              { field: "config.question", reason: "Required field missing" },
              { field: "config.min", reason: "Required field missing" },
              { field: "config.max", reason: "Required field missing" },
            ],
          },
        },
      },
    );
  });

  it("validates a deployer's type the same way", async () => {
    const { admin, session } = await sessionOf(h);
    await expect(
      admin.activity.create({ session_id: session.id, type: "bingo", title: "b", config: { size: 2 } }),
    ).rejects.toMatchObject({
      cause: { code: "VALIDATION_ERROR", details: { field: "config.size" } },
    });
    const ok = await admin.activity.create({ session_id: session.id, type: "bingo", title: "b", config: { size: 5 } });
    expect(ok.config).toEqual({ size: 5 });
  });

  it("validates answers to a deployer's type and serves its results, like a built-in", async () => {
    const room = await openRoom(h, 3, "bingo-owner");
    const id = await room.activity("bingo", { size: 5 });
    const [first, second, third] = room.people.map((p) => p.caller);
    if (!first || !second || !third) throw new Error("the room has three participants");
    const submit = (who: typeof first, response_data: unknown) =>
      who.response.submit({ session_id: room.sessionId, activity_id: id, response_data });
    await expect(submit(first, { cells: ["a"] })).rejects.toMatchObject({
      cause: { code: "VALIDATION_ERROR", details: { field: "response_data.cells.0" } },
    });
    await submit(first, { cells: [1, 2] });
    await submit(second, { cells: [3] });
    await submit(second, { cells: [4] }); // single mode: replaces
    const owner = await room.owner.activity.results({ session_id: room.sessionId, activity_id: id });
    expect(owner).toMatchObject({ type: "bingo", response_count: 2, results: { cards: 2 } });
    const participant = await third.activity.results({ session_id: room.sessionId, activity_id: id });
    expect(participant.results).toEqual({ cards: 2 });
  });

  it("keeps any JSON for an unregistered type", async () => {
    const { admin, session } = await sessionOf(h);
    const activity = await admin.activity.create({
      session_id: session.id,
      type: "scavenger_hunt",
      title: "s",
      config: { x: [1] },
    });
    expect(activity.config).toEqual({ x: [1] });
  });

  it("refuses an unregistered type at field type when ALLOW_CUSTOM_ACTIVITY_TYPES is false", async () => {
    const { admin, session } = await sessionOf(strict);
    await expect(admin.activity.create({ session_id: session.id, type: "scavenger_hunt", title: "s" })).rejects.toMatchObject({
      cause: { code: "VALIDATION_ERROR", details: { field: "type", reason: 'Unknown activity type "scavenger_hunt"' } },
    });
    const poll = await admin.activity.create({
      session_id: session.id,
      type: "poll",
      title: "p",
      config: { question: "q", options: ["a", "b"] },
    });
    expect(poll.type).toBe("poll");
  });
});

describe("activity.update validates the type and config it leaves behind", () => {
  it("checks a new config against the stored type, and a new type against the stored config", async () => {
    const { admin, session } = await sessionOf(h);
    const poll = await admin.activity.create({
      session_id: session.id,
      type: "poll",
      title: "p",
      config: { question: "q", options: ["a", "b"] },
    });
    const ref = { session_id: session.id, activity_id: poll.id };
    await expect(admin.activity.update({ ...ref, config: { question: "q", options: ["a"] } })).rejects.toMatchObject({
      cause: { details: { field: "config.options", reason: "must have at least 2 options" } },
    });
    await expect(admin.activity.update({ ...ref, type: "quiz" })).rejects.toMatchObject({
      cause: { details: { field: "config.correct_options", reason: "Required field missing" } },
    });
    const quiz = await admin.activity.update({
      ...ref,
      type: "quiz",
      config: { question: "q", options: ["a", "b"], correct_options: ["b"] },
    });
    expect(quiz).toMatchObject({ type: "quiz", config: { correct_options: ["b"] } });
    // Neither type nor config: nothing to validate.
    expect((await admin.activity.update({ ...ref, title: "renamed" })).title).toBe("renamed");
    // The refused updates changed nothing.
    expect(await admin.activity.get(ref)).toMatchObject({ type: "quiz", title: "renamed" });
  });

  it("lets a free-JSON activity become a registered type only with a config that fits", async () => {
    const { admin, session } = await sessionOf(h);
    const free = await admin.activity.create({
      session_id: session.id,
      type: "draft_idea",
      title: "d",
      config: { anything: true },
    });
    await expect(
      admin.activity.update({ session_id: session.id, activity_id: free.id, type: "open_text" }),
    ).rejects.toMatchObject({
      cause: { details: { field: "config.question" } },
    });
  });
});
