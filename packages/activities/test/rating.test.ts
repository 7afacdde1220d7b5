import { describe, expect, it } from "vitest";
import { issuesOf, registry, stored } from "./support";

describe("rating config", () => {
  it("accepts a scale with an optional step", () => {
    expect(registry.validateConfig("rating", { question: "How was it?", min: 1, max: 5 }).ok).toBe(true);
    expect(registry.validateConfig("rating", { question: "Temp", min: 0, max: 1, step: 0.1 }).ok).toBe(true);
  });

  it.each([
    [{ question: "q", max: 5 }, "config.min", "Required field missing"],
    [{ question: "q", min: 5, max: 5 }, "config.max", "must be greater than min"],
    [{ question: "q", min: 1, max: 5, step: 0 }, "config.step", "must be greater than 0"],
    [{ question: "q", min: 0, max: 10_000 }, "config.step", "the scale must have at most 1000 steps"],
    [{ question: "q", min: "1", max: 5 }, "config.min", "must be a number"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateConfig("rating", bad))).toContainEqual({ field, reason });
  });
});

describe("rating response", () => {
  const config = { question: "q", min: 0, max: 1, step: 0.1 };

  it("accepts a value on the scale, float steps included", () => {
    expect(registry.validateResponse("rating", config, { value: 0.3 }).ok).toBe(true);
    expect(registry.validateResponse("rating", config, { value: 1 }).ok).toBe(true);
  });

  it.each([
    [{ value: 1.1 }, "response_data.value", "must be between 0 and 1 in steps of 0.1"],
    [{ value: 0.25 }, "response_data.value", "must be between 0 and 1 in steps of 0.1"],
    [{ value: -0.1 }, "response_data.value", "must be between 0 and 1 in steps of 0.1"],
    [{ value: "0.5" }, "response_data.value", "must be a number"],
    [{}, "response_data.value", "Required field missing"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateResponse("rating", config, bad))).toContainEqual({ field, reason });
  });
});

describe("rating results", () => {
  it("gives the average, the count and a histogram over the whole scale", () => {
    const config = { question: "q", min: 1, max: 5 };
    const responses = [stored(1, { value: 5 }), stored(2, { value: 4 }), stored(3, { value: 4 })];
    expect(registry.results("rating", config, responses)).toEqual({
      average: 4.33,
      count: 3,
      histogram: [1, 2, 3, 4, 5].map((value) => ({ value, count: value === 4 ? 2 : value === 5 ? 1 : 0 })),
    });
  });

  it("labels float steps without float noise, and has a null average while nobody rated", () => {
    const result = registry.results("rating", { question: "q", min: 0, max: 0.3, step: 0.1 }, []) as {
      average: number | null;
      histogram: { value: number }[];
    };
    expect(result.average).toBeNull();
    expect(result.histogram.map((b) => b.value)).toEqual([0, 0.1, 0.2, 0.3]);
  });

  it("stops at the last step below max when max is not on a step", () => {
    const result = registry.results("rating", { question: "q", min: 0, max: 10, step: 3 }, [stored(1, { value: 9 })]) as {
      histogram: { value: number; count: number }[];
    };
    expect(result.histogram).toEqual([
      { value: 0, count: 0 },
      { value: 3, count: 0 },
      { value: 6, count: 0 },
      { value: 9, count: 1 },
    ]);
  });
});
