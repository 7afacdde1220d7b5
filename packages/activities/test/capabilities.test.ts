import { z } from "zod";
import { describe, expect, it } from "vitest";
import { builtInActivityTypes, createActivityRegistry, defineActivityType } from "../src";
import { registry } from "./support";

const spec = {
  type: "shout",
  config: z.strictObject({}),
  response: z.strictObject({ text: z.string() }),
  result: z.object({ n: z.number() }),
  mode: "multiple",
  aggregate: (_config: unknown, responses: readonly unknown[]) => ({ n: responses.length }),
} as const;

describe("capabilities: shared entries and votes", () => {
  it("qa shares its entries and takes votes; the private-answer types do neither", () => {
    expect(registry.typesWith("sharedEntries")).toEqual(["qa"]);
    expect(registry.typesWith("votes")).toEqual(["qa"]);
    for (const type of ["poll", "quiz", "rating", "word_cloud", "open_text"]) {
      expect([registry.sharesEntries(type), registry.takesVotes(type)]).toEqual([false, false]);
    }
    expect([registry.sharesEntries("qa"), registry.takesVotes("qa")]).toEqual([true, true]);
  });

  it("unregistered types keep entries private and take no votes", () => {
    expect([registry.sharesEntries("bingo"), registry.takesVotes("bingo")]).toEqual([false, false]);
  });

  it("are listed for GET /api/v1/activity-types", () => {
    const qa = registry.list().find((t) => t.type === "qa");
    const poll = registry.list().find((t) => t.type === "poll");
    expect(qa).toMatchObject({ shared_entries: true, votes: true });
    expect(poll).toMatchObject({ shared_entries: false, votes: false });
  });

  it("a deployer's type may declare them", () => {
    const shout = defineActivityType({ ...spec, sharedEntries: true, votes: true });
    const custom = createActivityRegistry([...builtInActivityTypes, shout]);
    expect(custom.typesWith("votes")).toEqual(["qa", "shout"]);
    expect(custom.sharesEntries("shout")).toBe(true);
  });

  it("votes without shared entries are refused at definition: nobody could see what to vote on", () => {
    expect(() => defineActivityType({ ...spec, votes: true })).toThrow(/votes require sharedEntries/);
  });
});
