import { describe, expect, it } from "vitest";
import { normalizeWord } from "../src";
import { issuesOf, registry, stored } from "./support";

describe("word_cloud config", () => {
  it("accepts a prompt with an optional cap and moderation", () => {
    expect(registry.validateConfig("word_cloud", { prompt: "One word", max_words_per_participant: 3, moderation: true }).ok).toBe(
      true,
    );
  });

  it.each([
    [{}, "config.prompt", "Required field missing"],
    [{ prompt: "p", max_words_per_participant: 0 }, "config.max_words_per_participant", "must be at least 1"],
    [{ prompt: "p", max_words_per_participant: 2.5 }, "config.max_words_per_participant", "must be an integer"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateConfig("word_cloud", bad))).toContainEqual({ field, reason });
  });
});

describe("word_cloud response", () => {
  const config = { prompt: "One word", max_words_per_participant: 2 };

  it("accepts up to the cap", () => {
    expect(registry.validateResponse("word_cloud", config, { words: ["calm", "blue"] }).ok).toBe(true);
  });

  it.each([
    [{ words: [] }, "response_data.words", "must contain at least one word"],
    [{ words: ["a", "b", "c"] }, "response_data.words", "must contain at most 2 words"],
    [{ words: ["ok", " \u3000 "] }, "response_data.words.1", "must not be blank"],
    [{ words: ["x".repeat(101)] }, "response_data.words.0", "must be at most 100 characters"],
    [{ word: "calm" }, "response_data.words", "Required field missing"],
  ])("refuses %j at %s", (bad, field, reason) => {
    expect(issuesOf(registry.validateResponse("word_cloud", config, bad))).toContainEqual({ field, reason });
  });
});

describe("word normalisation", () => {
  it.each([
    ["  Hello   World ", "hello world"],
    ["ＨＥＬＬＯ", "hello"], // full-width letters (NFKC)
    ["Straße", "strasse"],
    ["STRAẞE", "strasse"], // capital sharp s lowers to ß, which one upper/lower round leaves (found by the property test)
    ["ΟΔΟΣ", "οδοσ"],
    ["ﬁne", "fine"],
    ["tab\tand\nnewline", "tab and newline"],
  ])("%j counts as %j", (raw, key) => {
    expect(normalizeWord(raw)).toBe(key);
  });
});

describe("word_cloud results", () => {
  const config = { prompt: "Mood?" };

  it("counts equal words together, most frequent first, showing the most frequent spelling", () => {
    const responses = [
      stored(1, { words: ["Calm", "tired"] }),
      stored(2, { words: ["calm "] }),
      stored(3, { words: ["  calm", "TIRED"] }),
      stored(4, { words: ["Excited"] }),
    ];
    expect(registry.results("word_cloud", config, responses)).toEqual({
      words: [
        { word: "calm", normalized: "calm", count: 3 },
        { word: "TIRED", normalized: "tired", count: 2 },
        { word: "Excited", normalized: "excited", count: 1 },
      ],
      total_words: 6,
      total_participants: 4,
      distinct_words: 3,
      truncated: false,
    });
  });

  it("breaks a tie between spellings by code-unit order, whatever the arrival order", () => {
    const a = stored(1, { words: ["Rust"] }, { second: 1 });
    const b = stored(2, { words: ["rust"] }, { second: 2 });
    const words = (rs: (typeof a)[]) => (registry.results("word_cloud", config, rs) as { words: { word: string }[] }).words;
    expect(words([a, b])[0]?.word).toBe("Rust");
    expect(words([b, a])[0]?.word).toBe("Rust");
  });

  it("counts at most max_words_per_participant words per participant, the earliest ones", () => {
    const capped = { prompt: "Mood?", max_words_per_participant: 2 };
    const responses = [
      stored(1, { words: ["a", "b"] }, { second: 1, id: "x1" }),
      stored(1, { words: ["c"] }, { second: 2, id: "x2" }),
      stored(2, { words: ["c"] }, { second: 3, id: "x3" }),
    ];
    expect(registry.results("word_cloud", capped, responses)).toMatchObject({
      words: [
        { normalized: "a", count: 1 },
        { normalized: "b", count: 1 },
        { normalized: "c", count: 1 },
      ],
      total_words: 3,
    });
  });

  it("counts only approved words when moderated, and every word but rejected ones otherwise", () => {
    const responses = [
      stored(1, { words: ["kind"] }, { status: "approved" }),
      stored(2, { words: ["rude"] }, { status: "rejected" }),
      stored(3, { words: ["maybe"] }, { status: "pending" }),
    ];
    const counted = (moderation: boolean) =>
      (registry.results("word_cloud", { prompt: "p", moderation }, responses) as { words: { normalized: string }[] }).words.map(
        (w) => w.normalized,
      );
    expect(counted(true)).toEqual(["kind"]);
    expect(counted(false)).toEqual(["kind", "maybe"]);
    expect(registry.initialStatus("word_cloud", { prompt: "p", moderation: true })).toBe("pending");
    expect(registry.initialStatus("word_cloud", { prompt: "p" })).toBe("approved");
  });
});
