import { builtInActivityTypes, createActivityRegistry } from "@caja/activities";
import { describe, expect, it } from "vitest";
import type { BuiltInType } from "../src/activity-types";
import { buildConfig, emptyDraft, type FormDraft } from "../src/presenter/config-fields";

// The app builds configs from its own forms; these check them against @caja/activities, the
// registry the server validates with. (Results come from the server's results route.)
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
