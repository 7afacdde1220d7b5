import type { BuiltInType } from "../activity-types";

// Each built-in type's form, described once: the form renders these and `buildConfig` turns
// the answers into the type's config (issue 9's shapes). When `GET /api/v1/activity-types`
// exists, these can be derived from each type's JSON Schema instead.

export type Field =
  | { key: string; label: string; kind: "text"; required: true; placeholder?: string }
  | {
      key: string;
      label: string;
      kind: "number";
      required: boolean;
      /** Inclusive bounds; `above` is an exclusive lower bound. */
      min?: number;
      max?: number;
      above?: number;
      integer?: boolean;
      initial?: string;
    }
  | { key: string; label: string; kind: "checkbox"; hint?: string }
  | { key: "options"; label: string; kind: "options"; withCorrect: boolean };

export const formFields: Record<BuiltInType, Field[]> = {
  poll: [
    { key: "question", label: "Question", kind: "text", required: true },
    { key: "options", label: "Options", kind: "options", withCorrect: false },
    { key: "allow_multiple", label: "Allow several choices", kind: "checkbox" },
  ],
  word_cloud: [
    { key: "prompt", label: "Prompt", kind: "text", required: true },
    {
      key: "max_words_per_participant",
      label: "Words per person (at most)",
      kind: "number",
      required: false,
      min: 1,
      max: 100,
      integer: true,
    },
    { key: "moderation", label: "Approve words before they show", kind: "checkbox" },
  ],
  rating: [
    { key: "question", label: "Question", kind: "text", required: true },
    { key: "min", label: "Lowest value", kind: "number", required: true, initial: "1" },
    { key: "max", label: "Highest value", kind: "number", required: true, initial: "5" },
    { key: "step", label: "Step (1 when empty)", kind: "number", required: false, above: 0 },
  ],
  qa: [
    { key: "prompt", label: "Prompt", kind: "text", required: true, placeholder: "Ask us anything" },
    { key: "moderation", label: "Approve questions before others see them", kind: "checkbox" },
    { key: "anonymous", label: "Hide who asked", kind: "checkbox" },
  ],
  open_text: [
    { key: "question", label: "Question", kind: "text", required: true },
    { key: "max_length", label: "Longest answer (characters)", kind: "number", required: false, min: 1, integer: true },
  ],
  quiz: [
    { key: "question", label: "Question", kind: "text", required: true },
    { key: "options", label: "Options (tick the correct ones)", kind: "options", withCorrect: true },
    {
      key: "points",
      label: "Points for a correct answer (1 when empty)",
      kind: "number",
      required: false,
      min: 0,
      integer: true,
    },
    { key: "time_limit_s", label: "Time limit in seconds", kind: "number", required: false, min: 1, max: 86_400, integer: true },
  ],
};

export interface OptionDraft {
  text: string;
  correct: boolean;
}
export interface FormDraft {
  values: Record<string, string>;
  flags: Record<string, boolean>;
  options: OptionDraft[];
}

export function emptyDraft(type: BuiltInType): FormDraft {
  const values: Record<string, string> = {};
  for (const field of formFields[type]) if (field.kind === "number" && field.initial) values[field.key] = field.initial;
  return {
    values,
    flags: {},
    options: [
      { text: "", correct: false },
      { text: "", correct: false },
    ],
  };
}

export type Built = { config: Record<string, unknown>; headline: string } | { problem: string };

/** The config for `type` from the form, or the first thing a person must fix. */
export function buildConfig(type: BuiltInType, draft: FormDraft): Built {
  const config: Record<string, unknown> = {};
  let headline = "";
  for (const field of formFields[type]) {
    if (field.kind === "text") {
      const text = (draft.values[field.key] ?? "").trim();
      if (!text) return { problem: `${field.label} is required.` };
      config[field.key] = text;
      headline ||= text;
    } else if (field.kind === "number") {
      const raw = (draft.values[field.key] ?? "").trim();
      if (!raw) {
        if (field.required) return { problem: `${field.label} is required.` };
        continue;
      }
      const value = Number(raw);
      if (!Number.isFinite(value)) return { problem: `${field.label} must be a number.` };
      if (field.integer && !Number.isInteger(value)) return { problem: `${field.label} must be a whole number.` };
      if (field.min !== undefined && value < field.min) return { problem: `${field.label} must be at least ${field.min}.` };
      if (field.max !== undefined && value > field.max) return { problem: `${field.label} must be at most ${field.max}.` };
      if (field.above !== undefined && value <= field.above) return { problem: `${field.label} must be above ${field.above}.` };
      config[field.key] = value;
    } else if (field.kind === "checkbox") {
      if (draft.flags[field.key]) config[field.key] = true;
    } else {
      const options = draft.options.map((o) => ({ ...o, text: o.text.trim() })).filter((o) => o.text);
      if (options.length < 2) return { problem: "Give at least two options." };
      if (options.length > 20) return { problem: "Give at most 20 options." };
      if (new Set(options.map((o) => o.text)).size !== options.length) return { problem: "Options must differ from each other." };
      config.options = options.map((o) => o.text);
      if (field.withCorrect) {
        const correct = options.filter((o) => o.correct).map((o) => o.text);
        if (correct.length === 0) return { problem: "Tick at least one correct option." };
        config.correct_options = correct;
      }
    }
  }
  if (type === "rating" && Number(config.min) >= Number(config.max))
    return { problem: "The highest value must be above the lowest." };
  return { config, headline };
}
