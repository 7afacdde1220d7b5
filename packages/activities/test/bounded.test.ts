import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { resultListLimits, type ResultsByType } from "../src";
import { jsonTextBytes } from "../src/bounded";
import { registry, stored } from "./support";

/** Results of the text types carry their first entries plus exact totals, whatever the activity holds. */
const textBytes = (texts: string[]) => texts.reduce((n, t) => n + jsonTextBytes(t), 0);

describe("open_text results", () => {
  const answers = (n: number, text: (i: number) => string) =>
    Array.from({ length: n }, (_, i) =>
      stored(1 + (i % 5), { text: text(i) }, { second: i, id: `e${String(i).padStart(4, "0")}` }),
    );

  it("list the 50 latest of 60 entries, oldest first, with the total and truncated", () => {
    const result = registry.results(
      "open_text",
      { question: "q" },
      answers(60, (i) => `t${i}`),
    ) as ResultsByType["open_text"];
    expect(result.entries.map((e) => e.id)).toEqual(
      answers(60, String)
        .slice(10)
        .map((r) => r.id),
    );
    expect(result).toMatchObject({ total_entries: 60, truncated: true });
  });

  it("list every entry when they fit", () => {
    const result = registry.results(
      "open_text",
      { question: "q" },
      answers(50, (i) => `t${i}`),
    ) as ResultsByType["open_text"];
    expect(result.entries).toHaveLength(50);
    expect(result.truncated).toBe(false);
  });

  it("keep the listed texts within 32 KB: long answers list fewer, the newest", () => {
    const rows = answers(40, (i) => `${i} `.padEnd(5000, "x"));
    const result = registry.results("open_text", { question: "q" }, rows) as ResultsByType["open_text"];
    const texts = result.entries.map((e) => e.text);
    expect(textBytes(texts) + textBytes(result.entries.map((e) => e.nickname))).toBeLessThanOrEqual(resultListLimits.textBytes);
    expect(result.entries.length).toBe(6);
    expect(result.entries.at(-1)?.id).toBe(rows.at(-1)?.id);
    expect(result).toMatchObject({ total_entries: 40, truncated: true });
  });

  it("always list the newest entry, however long", () => {
    const rows = answers(3, () => "🙂".repeat(5000));
    const result = registry.results("open_text", { question: "q" }, rows) as ResultsByType["open_text"];
    expect(result.entries.map((e) => e.id)).toEqual([rows.at(-1)?.id]);
  });
});

describe("qa results", () => {
  it("list the 50 most voted of 80 questions, with the total", () => {
    const rows = Array.from({ length: 80 }, (_, i) =>
      stored(1 + (i % 3), { question_text: `q${i}` }, { second: i, votes: i % 10, id: `q${String(i).padStart(3, "0")}` }),
    );
    const result = registry.results("qa", { prompt: "p" }, rows) as ResultsByType["qa"];
    expect(result.questions).toHaveLength(50);
    // 8 questions for each vote count 0-9: the 50 listed are those with 9 down to 4 votes, and two of the 3s.
    expect(result.questions.map((q) => q.votes)).toEqual(
      [9, 8, 7, 6, 5, 4].flatMap((v) => Array.from({ length: 8 }, () => v)).concat([3, 3]),
    );
    expect(result).toMatchObject({ total_questions: 80, truncated: true });
  });
});

describe("word_cloud results", () => {
  it("list the 100 most frequent of 150 words, with the totals", () => {
    const rows = Array.from({ length: 150 }, (_, i) =>
      stored(1 + (i % 4), { words: Array.from({ length: 1 + (i % 3) }, () => `w${i}`) }, { second: i, id: `s${i}` }),
    );
    const result = registry.results("word_cloud", { prompt: "p" }, rows) as ResultsByType["word_cloud"];
    expect(result.words).toHaveLength(100);
    expect(result.words.slice(0, 50).every((w) => w.count === 3)).toBe(true);
    expect(result).toMatchObject({ total_words: 300, distinct_words: 150, total_participants: 4, truncated: true });
    expect(registry.results("word_cloud", { prompt: "p" }, [...rows].reverse())).toEqual(result);
  });
});

describe("jsonTextBytes", () => {
  it("is the UTF-8 length of the string as JSON", () => {
    fc.assert(
      fc.property(fc.string({ unit: "binary", maxLength: 40 }), (s) => {
        expect(jsonTextBytes(s)).toBe(Buffer.byteLength(JSON.stringify(s), "utf8"));
      }),
      { numRuns: 2000 },
    );
  });
});
