import { z } from "zod";
import { defineActivityType } from "../define";
import { checkSelection, percentOf, tallyOptions } from "../tally";
import { count, optionList, percentage, positiveInt, promptText, selectedOptions } from "./fields";

export const quizConfig = z
  .strictObject({
    question: promptText(),
    options: optionList,
    /** Private until the quiz completes. Several correct options make it a select-all-that-apply question. */
    correct_options: selectedOptions,
    /** Earned by an answer whose selection equals correct_options exactly. Default 1. */
    points: z
      .number({ error: "must be a number" })
      .int({ error: "must be an integer" })
      .min(0, { error: "must be at least 0" })
      .max(1_000_000, { error: "must be at most 1000000" })
      .optional(),
    /** Answers are refused after started_at + time_limit_s (`ends_at`). */
    time_limit_s: positiveInt(86_400).optional(),
  })
  .superRefine((config, ctx) => {
    for (const issue of checkSelection(config.correct_options, config.options, true)) {
      ctx.addIssue({ code: "custom", path: ["correct_options", ...issue.path.slice(1)], message: issue.reason });
    }
  });
export type QuizConfig = z.output<typeof quizConfig>;

export const quizResponse = z.strictObject({ selected_options: selectedOptions });

export const quizResult = z
  .object({
    /** In the config's order. `correct` is null until the quiz completes (for participants). */
    options: z.array(z.object({ option: z.string(), count, percentage, correct: z.boolean().nullable() })),
    total_answers: count,
    /** Answers whose selection equals the correct options; null until the quiz completes (for participants). */
    correct_answers: count.nullable(),
  })
  .meta({ id: "QuizResult" });

export const isCorrect = (selected: readonly string[], config: QuizConfig): boolean => {
  const chosen = new Set(selected);
  return chosen.size === config.correct_options.length && config.correct_options.every((option) => chosen.has(option));
};

export const quiz = defineActivityType({
  type: "quiz",
  description: "A question with correct options, points and an optional time limit; scores feed the session leaderboard.",
  config: quizConfig,
  response: quizResponse,
  result: quizResult,
  mode: "single",
  privateConfigFields: ["correct_options"],
  // The number of correct options is public (a client must know whether to show radio buttons or checkboxes).
  checkResponse: (response, config) =>
    checkSelection(response.selected_options, config.options, config.correct_options.length > 1),
  timeLimitSeconds: (config) => config.time_limit_s,
  score: (response, config) => (isCorrect(response.selected_options, config) ? (config.points ?? 1) : 0),
  redactResult: (result) => ({
    options: result.options.map((option) => ({ ...option, correct: null })),
    total_answers: result.total_answers,
    correct_answers: null,
  }),
  toText: (response) => response.selected_options.join("; "),
  aggregate: (config, responses) => {
    const counts = tallyOptions(
      config.options,
      responses.map((r) => r.data.selected_options),
    );
    const correct = new Set(config.correct_options);
    const answers = responses.length;
    return {
      options: config.options.map((option) => {
        const n = counts.get(option) ?? 0;
        return { option, count: n, percentage: percentOf(n, answers), correct: correct.has(option) };
      }),
      total_answers: answers,
      correct_answers: responses.filter((r) => isCorrect(r.data.selected_options, config)).length,
    };
  },
});
