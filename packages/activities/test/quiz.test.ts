import { describe, expect, it } from "vitest";
import { leaderboardEntry } from "../src";
import { issuesOf, registry, stored } from "./support";

const config = { question: "2 + 2?", options: ["3", "4", "5"], correct_options: ["4"], points: 10, time_limit_s: 30 };
const multi = { question: "Primes?", options: ["2", "3", "4"], correct_options: ["2", "3"] };

describe("quiz config", () => {
  it("accepts correct options among the options", () => {
    expect(registry.validateConfig("quiz", config).ok).toBe(true);
  });

  it.each([
    [{ ...config, correct_options: undefined }, "config.correct_options", "Required field missing"],
    [{ ...config, correct_options: [] }, "config.correct_options", "must select at least one option"],
    [{ ...config, correct_options: ["6"] }, "config.correct_options.0", "Not one of the options"],
    [{ ...config, correct_options: ["4", "4"] }, "config.correct_options.1", "Selected twice"],
    [{ ...config, points: -1 }, "config.points", "must be at least 0"],
    [{ ...config, time_limit_s: 0 }, "config.time_limit_s", "must be at least 1"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateConfig("quiz", bad))).toContainEqual({ field, reason });
  });
});

describe("quiz response", () => {
  it("takes exactly one option when one is correct, several when several are", () => {
    expect(registry.validateResponse("quiz", config, { selected_options: ["3"] }).ok).toBe(true);
    expect(issuesOf(registry.validateResponse("quiz", config, { selected_options: ["3", "4"] }))).toEqual([
      { field: "response_data.selected_options", reason: "Select exactly one option" },
    ]);
    expect(registry.validateResponse("quiz", multi, { selected_options: ["2", "4"] }).ok).toBe(true);
    expect(issuesOf(registry.validateResponse("quiz", multi, { selected_options: ["7"] }))).toEqual([
      { field: "response_data.selected_options.0", reason: "Not one of the options" },
    ]);
  });
});

describe("quiz private config and time limit", () => {
  it("hides correct_options from participants", () => {
    expect(registry.privateConfigFields("quiz")).toEqual(["correct_options"]);
    expect(registry.publicConfig("quiz", config)).toEqual({
      question: "2 + 2?",
      options: ["3", "4", "5"],
      points: 10,
      time_limit_s: 30,
    });
  });

  it("ends time_limit_s after the start, and not before it started", () => {
    const start = new Date("2026-01-01T10:00:00.000Z");
    expect(registry.endsAt("quiz", config, start)).toEqual(new Date("2026-01-01T10:00:30.000Z"));
    expect(registry.endsAt("quiz", config, null)).toBeNull();
    expect(registry.endsAt("quiz", { ...config, time_limit_s: undefined }, start)).toBeNull();
    expect(registry.endsAt("poll", { question: "q", options: ["a", "b"] }, start)).toBeNull();
  });
});

describe("quiz results", () => {
  const responses = [
    stored(1, { selected_options: ["4"] }),
    stored(2, { selected_options: ["4"] }),
    stored(3, { selected_options: ["5"] }),
    stored(4, { selected_options: ["4"] }),
  ];

  it("counts each option with its correct flag and the number of correct answers", () => {
    expect(registry.results("quiz", config, responses)).toEqual({
      options: [
        { option: "3", count: 0, percentage: 0, correct: false },
        { option: "4", count: 3, percentage: 75, correct: true },
        { option: "5", count: 1, percentage: 25, correct: false },
      ],
      total_answers: 4,
      correct_answers: 3,
    });
  });

  it("redacts what is correct for participants before the quiz completes", () => {
    expect(registry.results("quiz", config, responses, { redact: true })).toEqual({
      options: [
        { option: "3", count: 0, percentage: 0, correct: null },
        { option: "4", count: 3, percentage: 75, correct: null },
        { option: "5", count: 1, percentage: 25, correct: null },
      ],
      total_answers: 4,
      correct_answers: null,
    });
  });

  it("needs every correct option and no other for a select-all question", () => {
    const result = registry.results("quiz", multi, [
      stored(1, { selected_options: ["2", "3"] }),
      stored(2, { selected_options: ["2"] }),
      stored(3, { selected_options: ["3", "2", "4"] }),
    ]) as { correct_answers: number };
    expect(result.correct_answers).toBe(1);
  });
});

describe("leaderboard", () => {
  it("totals points across the session's quizzes with competition ranking, ignoring other types", () => {
    const q2 = { question: "Capital of France?", options: ["Paris", "Lyon"], correct_options: ["Paris"], points: 5 };
    const board = registry.leaderboard([
      { type: "quiz", config, responses: [stored(1, { selected_options: ["4"] }), stored(2, { selected_options: ["3"] })] },
      {
        type: "quiz",
        config: q2,
        responses: [
          stored(1, { selected_options: ["Lyon"] }),
          stored(2, { selected_options: ["Paris"] }),
          stored(3, { selected_options: ["Paris"] }),
        ],
      },
      { type: "poll", config: { question: "q", options: ["a", "b"] }, responses: [stored(4, { selected_options: ["a"] })] },
    ]);
    for (const entry of board) expect(leaderboardEntry.parse(entry)).toEqual(entry);
    expect(board).toEqual([
      { rank: 1, participant_id: 1, nickname: "p1", points: 10, answers: 2 },
      { rank: 2, participant_id: 2, nickname: "p2", points: 5, answers: 2 },
      { rank: 2, participant_id: 3, nickname: "p3", points: 5, answers: 1 },
    ]);
  });

  it("is empty without scored answers", () => {
    expect(registry.leaderboard([])).toEqual([]);
  });
});
