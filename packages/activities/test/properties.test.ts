import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { displayWord, normalizeWord, type ResultsByType, type StoredResponse } from "../src";
import { registry, stored } from "./support";

const options = ["A", "B", "C", "D"];
const participant = fc.integer({ min: 1, max: 12 });

/** A vote or a changed vote: in single mode the server keeps each participant's latest answer. */
const voteEvents = (allowMultiple: boolean) =>
  fc.array(
    fc.record({
      participant,
      selected: allowMultiple
        ? fc.uniqueArray(fc.constantFrom(...options), { minLength: 1, maxLength: options.length })
        : fc.constantFrom(...options).map((o) => [o]),
    }),
    { maxLength: 60 },
  );

/** What the database holds after the events: one row per participant, replaced on each resubmission. */
function storedAfter(events: { participant: number; selected: string[] }[]): StoredResponse[] {
  const rows = new Map<number, StoredResponse>();
  events.forEach((e, second) => {
    const first = rows.get(e.participant);
    const row = stored(e.participant, { selected_options: e.selected }, { second, id: `r${e.participant}` });
    rows.set(e.participant, first ? { ...row, createdAt: first.createdAt } : row);
  });
  return [...rows.values()];
}

describe("poll results under random vote sequences", () => {
  it("equal a straightforward recount of each participant's last vote, in any read order", () => {
    fc.assert(
      fc.property(
        fc.boolean(),
        fc.boolean().chain((multi) => voteEvents(multi).map((events) => ({ multi, events }))),
        (_, { multi, events }) => {
          const config = { question: "q", options, allow_multiple: multi };
          const rows = storedAfter(events);
          const last = new Map(events.map((e) => [e.participant, e.selected]));
          const expected = options.map((option) => [...last.values()].filter((sel) => sel.includes(option)).length);

          const result = registry.results("poll", config, rows) as ResultsByType["poll"];
          expect(result.total_voters).toBe(last.size);
          expect(result.options.map((o) => o.count)).toEqual(expected);
          expect(registry.results("poll", config, [...rows].reverse())).toEqual(result);
        },
      ),
    );
  });

  it("have percentages summing to about 100 when each voter picks one option", () => {
    fc.assert(
      fc.property(voteEvents(false), (events) => {
        fc.pre(events.length > 0);
        const result = registry.results("poll", { question: "q", options }, storedAfter(events)) as ResultsByType["poll"];
        const sum = result.options.reduce((s, o) => s + o.percentage, 0);
        // Each percentage is rounded to 0.1, so the sum is off by at most 0.05 per option.
        expect(Math.abs(sum - 100)).toBeLessThanOrEqual(0.05 * options.length + 1e-9);
      }),
    );
  });
});

describe("quiz results under random answers", () => {
  it("count correct answers exactly and agree with the leaderboard", () => {
    fc.assert(
      fc.property(
        voteEvents(true),
        fc.uniqueArray(fc.constantFrom(...options), { minLength: 2, maxLength: 4 }),
        (events, correct) => {
          const config = { question: "q", options, correct_options: correct, points: 2 };
          const rows = storedAfter(events);
          const isRight = (sel: string[]) => sel.length === correct.length && correct.every((c) => sel.includes(c));
          const last = new Map(events.map((e) => [e.participant, e.selected]));

          const result = registry.results("quiz", config, rows) as ResultsByType["quiz"];
          expect(result.correct_answers).toBe([...last.values()].filter(isRight).length);
          const board = registry.leaderboard([{ type: "quiz", config, responses: rows }]);
          expect(board.reduce((s, e) => s + e.points, 0)).toBe(2 * (result.correct_answers ?? 0));
        },
      ),
    );
  });
});

describe("qa results under random upvotes and moderation", () => {
  it("list exactly the approved questions, by votes then age", () => {
    const question = fc.record({
      participant,
      status: fc.constantFrom("approved" as const, "pending" as const, "rejected" as const),
      voters: fc.uniqueArray(participant, { maxLength: 12 }),
    });
    fc.assert(
      fc.property(fc.array(question, { maxLength: 30 }), (questions) => {
        const rows = questions.map((q, i) =>
          stored(
            q.participant,
            { question_text: `q${i}` },
            { second: i % 7, id: `id${String(i).padStart(2, "0")}`, status: q.status, votes: q.voters.length },
          ),
        );
        const result = registry.results("qa", { prompt: "p", moderation: true }, rows) as ResultsByType["qa"];
        expect(result.questions.map((q) => q.id).sort()).toEqual(
          rows
            .filter((r) => r.status === "approved")
            .map((r) => r.id)
            .sort(),
        );
        for (let i = 1; i < result.questions.length; i++) {
          const [a, b] = [result.questions[i - 1], result.questions[i]];
          if (!a || !b) continue;
          expect(
            a.votes > b.votes ||
              (a.votes === b.votes && (a.created_at < b.created_at || (a.created_at === b.created_at && a.id < b.id))),
          ).toBe(true);
        }
      }),
    );
  });
});

describe("word normalisation", () => {
  const anyText = fc.string({ unit: "binary", maxLength: 30 });

  it("is idempotent", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(normalizeWord(normalizeWord(s))).toBe(normalizeWord(s));
        expect(displayWord(displayWord(s))).toBe(displayWord(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("gives a spelling's key to its display form too", () => {
    fc.assert(
      fc.property(anyText, (s) => {
        expect(normalizeWord(displayWord(s))).toBe(normalizeWord(s));
      }),
      { numRuns: 2000 },
    );
  });

  it("counts every accepted word once, in any read order", () => {
    const word = fc.constantFrom("Calm", "calm", " CALM ", "ＣＡＬＭ", "tired", "Tired", "ﬁne", "fine");
    fc.assert(
      fc.property(
        fc.array(fc.record({ participant, words: fc.array(word, { minLength: 1, maxLength: 3 }) }), { maxLength: 20 }),
        (subs) => {
          const rows = subs.map((s, i) => stored(s.participant, { words: s.words }, { second: i, id: `w${i}` }));
          const result = registry.results("word_cloud", { prompt: "p" }, rows) as ResultsByType["word_cloud"];
          expect(result.total_words).toBe(subs.reduce((n, s) => n + s.words.length, 0));
          expect(result.words.reduce((n, w) => n + w.count, 0)).toBe(result.total_words);
          expect(new Set(result.words.map((w) => w.normalized)).size).toBe(result.words.length);
          expect(registry.results("word_cloud", { prompt: "p" }, [...rows].reverse())).toEqual(result);
        },
      ),
    );
  });
});

describe("rating results", () => {
  it("have the mean of the ratings and a histogram that adds up", () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 20 }), { maxLength: 50 }), (steps) => {
        const config = { question: "q", min: -1, max: 4, step: 0.25 };
        const rows = steps.map((k, i) => stored(i + 1, { value: -1 + k * 0.25 }));
        const result = registry.results("rating", config, rows) as ResultsByType["rating"];
        expect(result.count).toBe(steps.length);
        expect(result.histogram.reduce((n, b) => n + b.count, 0)).toBe(steps.length);
        if (steps.length === 0) expect(result.average).toBeNull();
        // The average is rounded to two decimals: off by at most half a hundredth.
        else
          expect(
            Math.abs((result.average ?? NaN) - steps.reduce((s, k) => s - 1 + k * 0.25, 0) / steps.length),
          ).toBeLessThanOrEqual(0.005 + 1e-9);
      }),
    );
  });
});
