import { describe, expect, expectTypeOf, it } from "vitest";
import { z } from "zod";
import { builtInActivityTypes, createActivityRegistry, defineActivityType, type ResultOf } from "../src";
import { stored } from "./support";

/** What a deployer writes: a guessing game whose answer stays hidden until the activity completes. */
const estimate = defineActivityType({
  type: "estimate",
  description: "Guess a number; within 10% of the answer scores.",
  config: z.strictObject({ question: z.string().min(1), answer: z.number(), unit: z.string().optional() }),
  response: z.strictObject({ guess: z.number().nonnegative({ error: "must not be negative" }) }),
  result: z.object({ guesses: z.number().int(), median: z.number().nullable(), within_10_percent: z.number().int().nullable() }),
  mode: "single",
  privateConfigFields: ["answer"],
  checkResponse: (response, config) =>
    config.unit === "%" && response.guess > 100 ? [{ path: ["guess"], reason: "must be at most 100 (a percentage)" }] : [],
  score: (response, config) => (Math.abs(response.guess - config.answer) <= Math.abs(config.answer) / 10 ? 3 : 0),
  redactResult: (result) => ({ ...result, within_10_percent: null }),
  aggregate: (config, responses) => {
    const sorted = responses.map((r) => r.data.guess).sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    const median =
      sorted.length === 0 ? null : sorted.length % 2 ? (sorted[mid] ?? null) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
    const close = sorted.filter((g) => Math.abs(g - config.answer) <= Math.abs(config.answer) / 10).length;
    return { guesses: sorted.length, median, within_10_percent: close };
  },
});

const registry = createActivityRegistry([...builtInActivityTypes, estimate], { allowUnregistered: false });
const config = { question: "Share of Earth covered by water?", answer: 71, unit: "%" };

describe("a deployer's custom type", () => {
  it("is listed with its schemas, mode and private fields", () => {
    expect(registry.list().find((t) => t.type === "estimate")).toMatchObject({
      mode: "single",
      private_config_fields: ["answer"],
      scored: true,
      config_schema: { required: ["question", "answer"] },
      response_schema: { properties: { guess: { type: "number", minimum: 0 } } },
    });
  });

  it("gets its config and responses validated with field paths", () => {
    expect(registry.validateConfig("estimate", { question: "q" })).toEqual({
      ok: false,
      issues: [{ field: "config.answer", reason: "Required field missing" }],
    });
    expect(registry.validateResponse("estimate", config, { guess: -1 })).toEqual({
      ok: false,
      issues: [{ field: "response_data.guess", reason: "must not be negative" }],
    });
    expect(registry.validateResponse("estimate", config, { guess: 140 })).toEqual({
      ok: false,
      issues: [{ field: "response_data.guess", reason: "must be at most 100 (a percentage)" }],
    });
    expect(registry.validateResponse("estimate", config, { guess: 70 })).toEqual({ ok: true, value: { guess: 70 } });
  });

  it("gets results, redacted for participants, and its private field hidden", () => {
    const responses = [stored(1, { guess: 70 }), stored(2, { guess: 50 }), stored(3, { guess: 75 })];
    expect(registry.results("estimate", config, responses)).toEqual({ guesses: 3, median: 70, within_10_percent: 2 });
    expect(registry.results("estimate", config, responses, { redact: true })).toEqual({
      guesses: 3,
      median: 70,
      within_10_percent: null,
    });
    expect(registry.publicConfig("estimate", config)).toEqual({ question: config.question, unit: "%" });
  });

  it("scores in the leaderboard beside the quizzes", () => {
    const quiz = { question: "q", options: ["a", "b"], correct_options: ["a"] };
    expect(
      registry.leaderboard([
        { type: "estimate", config, responses: [stored(1, { guess: 70 }), stored(2, { guess: 10 })] },
        { type: "quiz", config: quiz, responses: [stored(2, { selected_options: ["a"] })] },
      ]),
    ).toEqual([
      { rank: 1, participant_id: 1, nickname: "p1", points: 3, answers: 1 },
      { rank: 2, participant_id: 2, nickname: "p2", points: 1, answers: 2 },
    ]);
  });

  it("has its result type inferred from its schema", () => {
    expectTypeOf<ResultOf<typeof estimate>>().toEqualTypeOf<{
      guesses: number;
      median: number | null;
      within_10_percent: number | null;
    }>();
  });

  it("must have a storable name", () => {
    expect(() => defineActivityType({ ...estimate, type: "Estimate!" })).toThrow(/lower-case letters/);
  });
});
