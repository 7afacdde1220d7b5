import { describe, expect, it } from "vitest";
import { issuesOf, registry, stored } from "./support";

const config = { question: "Lunch?", options: ["Pizza", "Salad", "Soup"] };

describe("poll config", () => {
  it("accepts a question with 2 to 20 distinct options and stores them trimmed", () => {
    const v = registry.validateConfig("poll", { question: "  Lunch? ", options: [" Pizza", "Salad"], allow_multiple: true });
    expect(v).toEqual({ ok: true, value: { question: "Lunch?", options: ["Pizza", "Salad"], allow_multiple: true } });
  });

  it("reports a missing question at config.question", () => {
    expect(issuesOf(registry.validateConfig("poll", { options: ["a", "b"] }))).toEqual([
      { field: "config.question", reason: "Required field missing" },
    ]);
  });

  it.each([
    [{ question: "q", options: ["only"] }, "config.options", "must have at least 2 options"],
    [{ question: "q", options: Array.from({ length: 21 }, (_, i) => `o${i}`) }, "config.options", "must have at most 20 options"],
    [{ question: "q", options: ["a", "b", "a"] }, "config.options.2", "Duplicate option"],
    [{ question: "q", options: ["a", " "] }, "config.options.1", "must not be empty"],
    [{ question: "", options: ["a", "b"] }, "config.question", "must not be empty"],
    [{ question: "q", options: ["a", "b"], allow_multiple: "yes" }, "config.allow_multiple", "must be true or false"],
    [{ question: "q", options: ["a", "b"], allowMultiple: true }, "config.allowMultiple", "Unknown field"],
    [{ question: "q", options: "a,b" }, "config.options", "must be an array of strings"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateConfig("poll", bad))).toContainEqual({ field, reason });
  });
});

describe("poll response", () => {
  it("accepts exactly one of the options", () => {
    expect(registry.validateResponse("poll", config, { selected_options: ["Soup"] })).toEqual({
      ok: true,
      value: { selected_options: ["Soup"] },
    });
  });

  it.each([
    [{}, "response_data.selected_options", "Required field missing"],
    [{ selected_options: [] }, "response_data.selected_options", "must select at least one option"],
    [{ selected_options: ["Pizza", "Soup"] }, "response_data.selected_options", "Select exactly one option"],
    [{ selected_options: ["Burger"] }, "response_data.selected_options.0", "Not one of the options"],
    [{ selected_options: [3] }, "response_data.selected_options.0", "must be a string"],
    [{ selected_options: ["Soup"], extra: 1 }, "response_data.extra", "Unknown field"],
    ["Soup", "response_data", "Invalid input: expected object, received string"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateResponse("poll", config, bad))).toContainEqual({ field, reason });
  });

  it("accepts several distinct options with allow_multiple, but not the same one twice", () => {
    const multi = { ...config, allow_multiple: true };
    expect(registry.validateResponse("poll", multi, { selected_options: ["Pizza", "Soup"] }).ok).toBe(true);
    expect(issuesOf(registry.validateResponse("poll", multi, { selected_options: ["Pizza", "Pizza"] }))).toEqual([
      { field: "response_data.selected_options.1", reason: "Selected twice" },
    ]);
  });
});

describe("poll results", () => {
  it("counts each option in the config's order, with the share of voters", () => {
    const responses = [
      stored(1, { selected_options: ["Pizza"] }),
      stored(2, { selected_options: ["Soup"] }),
      stored(3, { selected_options: ["Pizza"] }),
    ];
    expect(registry.results("poll", config, responses)).toEqual({
      options: [
        { option: "Pizza", count: 2, percentage: 66.7 },
        { option: "Salad", count: 0, percentage: 0 },
        { option: "Soup", count: 1, percentage: 33.3 },
      ],
      total_voters: 3,
    });
  });

  it("gives zeros, not NaN, when nobody voted", () => {
    expect(registry.results("poll", config, [])).toEqual({
      options: config.options.map((option) => ({ option, count: 0, percentage: 0 })),
      total_voters: 0,
    });
  });

  it("leaves out votes for an option the owner has since removed, and rejected responses", () => {
    const responses = [
      stored(1, { selected_options: ["Pizza"] }),
      stored(2, { selected_options: ["Burger"] }),
      stored(3, { selected_options: ["Soup"] }, { status: "rejected" }),
    ];
    const result = registry.results("poll", config, responses) as { total_voters: number };
    expect(result.total_voters).toBe(1);
  });
});
