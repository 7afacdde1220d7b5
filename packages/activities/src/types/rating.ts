import { z } from "zod";
import { defineActivityType } from "../define";
import { count, promptText } from "./fields";

const maxSteps = 1000;
const bound = 1_000_000;
const scaleNumber = z
  .number({ error: "must be a number" })
  .min(-bound, { error: `must be at least ${-bound}` })
  .max(bound, {
    error: `must be at most ${bound}`,
  });

export const ratingConfig = z
  .strictObject({
    question: promptText(),
    min: scaleNumber,
    max: scaleNumber,
    /** Default 1: a rating is one of min, min + step, ... up to max. */
    step: z.number({ error: "must be a number" }).positive({ error: "must be greater than 0" }).optional(),
  })
  .superRefine((config, ctx) => {
    if (config.max <= config.min) {
      ctx.addIssue({ code: "custom", path: ["max"], message: "must be greater than min" });
    } else if ((config.max - config.min) / (config.step ?? 1) > maxSteps) {
      ctx.addIssue({ code: "custom", path: ["step"], message: `the scale must have at most ${maxSteps} steps` });
    }
  });
export type RatingConfig = z.output<typeof ratingConfig>;

export const ratingResponse = z.strictObject({ value: z.number({ error: "must be a number" }) });

export const ratingResult = z
  .object({
    /** Rounded to two decimals; null while nobody has rated. */
    average: z.number().nullable(),
    count,
    /** One bucket per point of the scale, from min to max. */
    histogram: z.array(z.object({ value: z.number(), count })),
  })
  .meta({ id: "RatingResult" });

/** The value's position on the scale (0 = min), or undefined when it is off the scale or between steps. */
export function stepIndex(value: number, config: RatingConfig): number | undefined {
  const step = config.step ?? 1;
  const k = Math.round((value - config.min) / step);
  const onGrid = Math.abs(config.min + k * step - value) <= 1e-9 * Math.max(1, Math.abs(value));
  return onGrid && k >= 0 && k <= stepCount(config) ? k : undefined;
}

/** Index of the last point on the scale (max itself when it lies on a step). */
const stepCount = (config: RatingConfig): number => Math.floor((config.max - config.min) / (config.step ?? 1) + 1e-9);

/** Drops float noise such as 0.30000000000000004 from values computed on the scale. */
const tidy = (x: number): number => Number.parseFloat(x.toPrecision(12));

export const rating = defineActivityType({
  type: "rating",
  description: "Participants rate on a scale from min to max in steps (default 1).",
  config: ratingConfig,
  response: ratingResponse,
  result: ratingResult,
  mode: "single",
  checkResponse: (response, config) =>
    stepIndex(response.value, config) === undefined
      ? [{ path: ["value"], reason: `must be between ${config.min} and ${config.max} in steps of ${config.step ?? 1}` }]
      : [],
  toText: (response) => String(response.value),
  aggregate: (config, responses) => {
    const step = config.step ?? 1;
    const buckets = Array.from({ length: stepCount(config) + 1 }, () => 0);
    let rated = 0;
    let indexSum = 0;
    for (const response of responses) {
      const k = stepIndex(response.data.value, config);
      if (k === undefined) continue;
      buckets[k] = (buckets[k] ?? 0) + 1;
      rated++;
      indexSum += k;
    }
    // Summing step indexes (integers) keeps the average exact and independent of order.
    const average = rated === 0 ? null : Math.round((config.min + (step * indexSum) / rated) * 100) / 100;
    return {
      average,
      count: rated,
      histogram: buckets.map((n, k) => ({ value: tidy(config.min + k * step), count: n })),
    };
  },
});
