import { describe, expect, it } from "vitest";
import { issuesOf, registry, stored } from "./support";

describe("open_text", () => {
  it.each([
    [{}, "config.question", "Required field missing"],
    [{ question: "q", max_length: 0 }, "config.max_length", "must be at least 1"],
    [{ question: "q", max_length: 5001 }, "config.max_length", "must be at most 5000"],
  ])("refuses config %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateConfig("open_text", bad))).toEqual([{ field, reason }]);
  });

  it("limits answers to max_length characters, counting code points rather than UTF-16 units", () => {
    const config = { question: "q", max_length: 3 };
    expect(registry.validateResponse("open_text", config, { text: "🙂🙂🙂" }).ok).toBe(true);
    expect(issuesOf(registry.validateResponse("open_text", config, { text: "abcd" }))).toEqual([
      { field: "response_data.text", reason: "must be at most 3 characters" },
    ]);
    expect(issuesOf(registry.validateResponse("open_text", config, { text: 12 }))).toEqual([
      { field: "response_data.text", reason: "must be a string" },
    ]);
  });

  it("lists entries oldest first, trimmed, with nicknames", () => {
    const responses = [
      stored(2, { text: " second " }, { second: 2, id: "b" }),
      stored(1, { text: "first" }, { second: 1, id: "a" }),
    ];
    expect(registry.results("open_text", { question: "q" }, responses)).toEqual({
      entries: [
        { id: "a", text: "first", nickname: "p1", created_at: "2026-01-01T10:00:01.000Z" },
        { id: "b", text: "second", nickname: "p2", created_at: "2026-01-01T10:00:02.000Z" },
      ],
      total_entries: 2,
      truncated: false,
    });
  });
});
