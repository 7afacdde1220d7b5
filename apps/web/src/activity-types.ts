// The built-in activity types' config and response shapes (issue 9; they are contract). When
// `@caja/activities` lands, these types come from it and this file keeps only the labels.

export interface PollConfig {
  question: string;
  options: string[];
  allow_multiple?: boolean;
}
export interface PollResponse {
  selected_options: string[];
}
export interface WordCloudConfig {
  prompt: string;
  max_words_per_participant?: number;
  moderation?: boolean;
}
export interface WordCloudResponse {
  words: string[];
}
export interface RatingConfig {
  question: string;
  min: number;
  max: number;
  step?: number;
}
export interface RatingResponse {
  value: number;
}
export interface QaConfig {
  prompt: string;
  moderation?: boolean;
  anonymous?: boolean;
}
export interface QaResponse {
  question_text: string;
}
export interface OpenTextConfig {
  question: string;
  max_length?: number;
}
export interface OpenTextResponse {
  text: string;
}
export interface QuizConfig {
  question: string;
  options: string[];
  /** Private: participants receive the config without it until the quiz completes. */
  correct_options?: string[];
  points?: number;
  time_limit_s?: number;
}
export type QuizResponse = PollResponse;

export interface BuiltInConfigs {
  poll: PollConfig;
  word_cloud: WordCloudConfig;
  rating: RatingConfig;
  qa: QaConfig;
  open_text: OpenTextConfig;
  quiz: QuizConfig;
}
export type BuiltInType = keyof BuiltInConfigs;

export const builtInTypes: { type: BuiltInType; label: string }[] = [
  { type: "poll", label: "Poll" },
  { type: "word_cloud", label: "Word cloud" },
  { type: "rating", label: "Rating" },
  { type: "qa", label: "Q&A" },
  { type: "open_text", label: "Open question" },
  { type: "quiz", label: "Quiz" },
];

export const isBuiltIn = (type: string): type is BuiltInType => builtInTypes.some((t) => t.type === type);

export const typeLabel = (type: string) => builtInTypes.find((t) => t.type === type)?.label ?? type;

/** An activity as the API returns it, narrowed to one built-in type when its `type` says so. */
export type TypedActivity = { [K in BuiltInType]: { type: K; config: BuiltInConfigs[K] } }[BuiltInType];

export function asTyped(activity: { type: string; config: Record<string, unknown> }): TypedActivity | null {
  // The server stores free JSON for types it does not validate yet; trust only what has the fields we read.
  const config = activity.config;
  const text = (key: string) => typeof config[key] === "string";
  const options = Array.isArray(config.options) && config.options.every((o) => typeof o === "string");
  switch (activity.type) {
    case "poll":
      return text("question") && options ? ({ type: "poll", config } as unknown as TypedActivity) : null;
    case "quiz":
      return text("question") && options ? ({ type: "quiz", config } as unknown as TypedActivity) : null;
    case "word_cloud":
    case "qa":
      return text("prompt") ? ({ type: activity.type, config } as unknown as TypedActivity) : null;
    case "open_text":
      return text("question") ? ({ type: "open_text", config } as unknown as TypedActivity) : null;
    case "rating":
      return text("question") && typeof config.min === "number" && typeof config.max === "number"
        ? ({ type: "rating", config } as unknown as TypedActivity)
        : null;
    default:
      return null;
  }
}

/** The headline of an activity: its question or prompt, else its title, else its type (titles are optional). */
export function promptOf(activity: { title: string | null; type: string; config: Record<string, unknown> }): string {
  const typed = asTyped(activity);
  if (!typed) return activity.title ?? activity.type;
  return "question" in typed.config ? typed.config.question : typed.config.prompt;
}
