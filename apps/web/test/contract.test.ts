import { builtInActivityTypes, createActivityRegistry, type StoredResponse } from "@caja/activities";
import { describe, expect, it } from "vitest";
import type { BuiltInType } from "../src/activity-types";
import { buildConfig, emptyDraft, type FormDraft } from "../src/presenter/config-fields";
import { tallyOptions, tallyRating, tallyWords } from "../src/results/tally";

// The app builds configs and tallies on its own until the server validates types and serves
// results; these check both against @caja/activities, the registry the server will use.
const registry = createActivityRegistry(builtInActivityTypes);

const filled = (type: BuiltInType, values: Record<string, string>, options: [string, boolean][] = [], flags = {}): FormDraft => ({
  ...emptyDraft(type),
  values: { ...emptyDraft(type).values, ...values },
  flags,
  options: options.map(([text, correct]) => ({ text, correct })),
});

const forms: [BuiltInType, FormDraft][] = [
  [
    "poll",
    filled(
      "poll",
      { question: " Lunch? " },
      [
        ["Pizza", false],
        ["Sushi", false],
        ["", false],
      ],
      { allow_multiple: true },
    ),
  ],
  ["word_cloud", filled("word_cloud", { prompt: "One word", max_words_per_participant: "3" }, [], { moderation: true })],
  ["rating", filled("rating", { question: "How was it?", step: "0.5" })],
  ["qa", filled("qa", { prompt: "Ask us" }, [], { moderation: true, anonymous: true })],
  ["open_text", filled("open_text", { question: "Anything else?", max_length: "280" })],
  [
    "quiz",
    filled("quiz", { question: "2 + 2?", points: "10", time_limit_s: "30" }, [
      ["3", false],
      ["4", true],
    ]),
  ],
];

describe("the presenter's forms", () => {
  it.each(forms)("build a %s config that the activity registry accepts", (type, draft) => {
    const built = buildConfig(type, draft);
    if ("problem" in built) throw new Error(built.problem);
    expect(registry.validateConfig(type, built.config)).toEqual({ ok: true, value: built.config });
  });

  it("refuse what the registry would refuse, with a sentence", () => {
    const cases: [BuiltInType, FormDraft][] = [
      [
        "poll",
        filled("poll", { question: "Q" }, [
          ["A", false],
          ["A", false],
        ]),
      ],
      ["poll", filled("poll", { question: "Q" }, [["A", false]])],
      ["rating", filled("rating", { question: "Q", min: "5", max: "1" })],
      ["rating", filled("rating", { question: "Q", step: "0" })],
      [
        "quiz",
        filled("quiz", { question: "Q" }, [
          ["A", false],
          ["B", false],
        ]),
      ],
      [
        "quiz",
        filled("quiz", { question: "Q", points: "1.5" }, [
          ["A", true],
          ["B", false],
        ]),
      ],
      ["word_cloud", filled("word_cloud", { prompt: "P", max_words_per_participant: "101" })],
      ["open_text", filled("open_text", { question: "" })],
    ];
    for (const [type, draft] of cases) {
      const built = buildConfig(type, draft);
      expect("problem" in built, JSON.stringify(draft)).toBe(true);
    }
  });
});

const stored = (data: unknown, i: number): StoredResponse => ({
  id: `r${i}`,
  participantId: i,
  nickname: `p${i}`,
  data,
  status: "approved",
  votes: 0,
  createdAt: new Date(0),
  updatedAt: new Date(0),
});

describe("the browser's tallies", () => {
  it("equal the registry's poll results (the results route's shape)", () => {
    const config = { question: "Q", options: ["a", "b", "c"], allow_multiple: true };
    const answers = [["a"], ["a", "b"], ["c"], ["a"]].map((selected) => ({ response_data: { selected_options: selected } }));
    const expected = registry.results(
      "poll",
      config,
      answers.map((a, i) => stored(a.response_data, i)),
    );
    expect(tallyOptions(config.options, answers)).toEqual(expected);
  });

  it("equal the registry's rating histogram and average", () => {
    const config = { question: "Q", min: 1, max: 5 };
    const answers = [4, 5, 4, 1].map((value) => ({ response_data: { value } }));
    const expected = registry.results(
      "rating",
      config,
      answers.map((a, i) => stored(a.response_data, i)),
    ) as {
      average: number;
      count: number;
      histogram: { value: number; count: number }[];
    };
    const ours = tallyRating(config, answers);
    expect(ours.average).toBe(expected.average);
    expect(ours.count).toBe(expected.count);
    expect(ours.histogram).toEqual(expected.histogram);
  });

  it("count words as the registry does, in their most frequent spelling", () => {
    const answers = [["Sunny", "calm"], ["sunny "], ["SUNNY", "Calm"], ["sunny"]].map((words) => ({ response_data: { words } }));
    const expected = registry.results(
      "word_cloud",
      { prompt: "P" },
      answers.map((a, i) => stored(a.response_data, i)),
    ) as {
      words: { word: string; count: number }[];
    };
    expect(tallyWords(answers).words).toEqual(expected.words.map(({ word, count }) => ({ word, count })));
  });
});
