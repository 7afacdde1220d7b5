import { z } from "zod";

/** Building blocks shared by the built-in types, so the same field reads the same everywhere. */

export const promptText = (max = 500) =>
  z
    .string({ error: "must be a string" })
    .trim()
    .min(1, { error: "must not be empty" })
    .max(max, { error: `must be at most ${max} characters` });

export const maxOptions = 20;

/** 2 to 20 distinct, non-empty option labels. Duplicates are reported at the second occurrence. */
export const optionList = z
  .array(promptText(200), { error: "must be an array of strings" })
  .min(2, { error: "must have at least 2 options" })
  .max(maxOptions, { error: `must have at most ${maxOptions} options` })
  .superRefine((options, ctx) => {
    const seen = new Set<string>();
    options.forEach((option, index) => {
      if (seen.has(option)) ctx.addIssue({ code: "custom", path: [index], message: "Duplicate option" });
      seen.add(option);
    });
  });

/** A participant's choice among options: checked against the config by `checkSelection`. */
export const selectedOptions = z
  .array(z.string({ error: "must be a string" }), { error: "must be an array of strings" })
  .min(1, { error: "must select at least one option" })
  .max(maxOptions, { error: `must select at most ${maxOptions} options` });

export const positiveInt = (max: number) =>
  z
    .number({ error: "must be a number" })
    .int({ error: "must be an integer" })
    .min(1, { error: "must be at least 1" })
    .max(max, { error: `must be at most ${max}` });

export const count = z.number().int().nonnegative();
/** Share of a total in percent, one decimal. */
export const percentage = z.number().min(0).max(100);
export const isoTimestamp = z.string().meta({ format: "date-time" });
