import { describe, expect, it } from "vitest";
import { issuesOf, registry, stored } from "./support";

describe("qa config and response", () => {
  it("accepts a prompt with moderation and anonymity flags", () => {
    expect(registry.validateConfig("qa", { prompt: "Ask me anything", moderation: true, anonymous: true }).ok).toBe(true);
    expect(issuesOf(registry.validateConfig("qa", { prompt: "p", moderation: "on" }))).toEqual([
      { field: "config.moderation", reason: "must be true or false" },
    ]);
  });

  it.each([
    [{}, "response_data.question_text", "Required field missing"],
    [{ question_text: "   " }, "response_data.question_text", "must not be empty"],
    [{ question_text: "x".repeat(501) }, "response_data.question_text", "must be at most 500 characters"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateResponse("qa", { prompt: "p" }, bad))).toEqual([{ field, reason }]);
  });

  it("is a multiple-response type", () => {
    expect(registry.responseMode("qa")).toBe("multiple");
  });
});

describe("qa results", () => {
  const responses = [
    stored(1, { question_text: "Old, few votes" }, { second: 1, votes: 1, id: "a" }),
    stored(2, { question_text: "Popular" }, { second: 5, votes: 4, id: "b" }),
    stored(3, { question_text: "Newer, few votes" }, { second: 9, votes: 1, id: "c" }),
    stored(4, { question_text: "Waiting" }, { second: 2, votes: 9, id: "d", status: "pending" }),
    stored(5, { question_text: "Abusive" }, { second: 3, votes: 9, id: "e", status: "rejected" }),
  ];

  it("orders questions by votes, then oldest first", () => {
    const result = registry.results("qa", { prompt: "p", moderation: true }, responses);
    expect(result).toEqual({
      questions: [
        { id: "b", question_text: "Popular", votes: 4, nickname: "p2", created_at: "2026-01-01T10:00:05.000Z" },
        { id: "a", question_text: "Old, few votes", votes: 1, nickname: "p1", created_at: "2026-01-01T10:00:01.000Z" },
        { id: "c", question_text: "Newer, few votes", votes: 1, nickname: "p3", created_at: "2026-01-01T10:00:09.000Z" },
      ],
      total_questions: 3,
      truncated: false,
    });
  });

  it("counts pending questions once moderation is off, never rejected ones", () => {
    const result = registry.results("qa", { prompt: "p" }, responses) as { questions: { id: string }[] };
    expect(result.questions.map((q) => q.id)).toEqual(["d", "b", "a", "c"]);
  });

  it("hides nicknames when anonymous", () => {
    const result = registry.results("qa", { prompt: "p", anonymous: true }, responses) as { questions: { nickname: unknown }[] };
    expect(result.questions.map((q) => q.nickname)).toEqual([null, null, null, null]);
  });

  it("starts questions pending only when moderated", () => {
    expect(registry.initialStatus("qa", { prompt: "p", moderation: true })).toBe("pending");
    expect(registry.initialStatus("qa", { prompt: "p" })).toBe("approved");
  });
});
