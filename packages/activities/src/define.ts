import type { z } from "zod";
import type { IssuePath, ResponseIssue } from "./issues";

/**
 * `single`: one answer per participant; resubmitting replaces it.
 * `multiple`: each submission is a new response (capped per participant by the activity).
 */
export type ResponseMode = "single" | "multiple";
export const responseModes = ["single", "multiple"] as const satisfies readonly ResponseMode[];

/** Moderated entries start `pending`; only `approved` ones count while moderation is on. */
export type ModerationStatus = "approved" | "pending" | "rejected";
export const moderationStatuses = ["approved", "pending", "rejected"] as const satisfies readonly ModerationStatus[];

/**
 * One stored response as the aggregator sees it: its validated data plus what the
 * server knows about it. Aggregators receive only responses that count (see
 * `countsInResults`), in a canonical order (created_at, then id), so a result is a
 * function of the set of responses, never of the order the server read them in.
 */
export interface CountedResponse<TResponse> {
  id: string;
  participantId: number;
  nickname: string;
  data: TResponse;
  status: ModerationStatus;
  /** Upvotes from other participants (qa); 0 where a type has no votes. */
  votes: number;
  createdAt: Date;
  updatedAt: Date;
}

/** A stored response before validation: what the server reads from its tables. */
export type StoredResponse = Omit<CountedResponse<unknown>, "data"> & { data: unknown };

type ObjectSchema = z.ZodType<Record<string, unknown>, Record<string, unknown>>;

/** Everything a type declares. Only `type`, the three schemas, `mode` and `aggregate` are required. */
export interface ActivityTypeSpec<
  TName extends string,
  TConfig extends ObjectSchema,
  TResponse extends z.ZodType,
  TResult extends z.ZodType,
> {
  /** Stored in `activities.type`: lower-case letters, digits and `_`, at most 50 characters. */
  type: TName;
  description?: string;
  config: TConfig;
  response: TResponse;
  /** The shape of `results` in the results route; published as JSON Schema and used for the SDK's types. */
  result: TResult;
  mode: ResponseMode;
  /** Config fields participants never receive before the activity completes (e.g. a quiz's answers). */
  privateConfigFields?: readonly (keyof z.output<TConfig> & string)[];
  /**
   * Rules that need the config (an option must be one of the poll's, a rating on the scale). Paths are
   * relative to `response_data`. Runs only on a response that already matched `response`.
   */
  checkResponse?: (response: z.output<TResponse>, config: z.output<TConfig>) => ResponseIssue[];
  /** True when new responses start `pending` and only approved ones count. Default: never. */
  moderated?: (config: z.output<TConfig>) => boolean;
  /** True when participants must not learn who wrote others' entries (an anonymous Q&A). Default: never. */
  anonymous?: (config: z.output<TConfig>) => boolean;
  /**
   * Participants see each other's approved entries in the response list and feed (a Q&A's
   * questions), not only their own. Default false: a poll's or a quiz's answers are private
   * votes, and showing them would tell everyone how each person voted.
   */
  sharedEntries?: boolean;
  /** Participants upvote each other's approved entries (`POST`/`DELETE .../votes`). Requires `sharedEntries`. */
  votes?: boolean;
  /** Seconds after the activity starts when answers stop being accepted (the server derives `ends_at`). */
  timeLimitSeconds?: (config: z.output<TConfig>) => number | undefined;
  /** Points a response earns; types that have it take part in the session leaderboard. */
  score?: (response: z.output<TResponse>, config: z.output<TConfig>) => number;
  /** The result as participants may see it before the activity completes (e.g. without the correct answers). */
  redactResult?: (result: z.output<TResult>, config: z.output<TConfig>) => z.output<TResult>;
  /** One line of text for an export cell (e.g. `Pizza; Soup`). Default: the response as JSON. */
  toText?: (response: z.output<TResponse>) => string;
  /** Pure and exact: the same config and set of counted responses always give the same result. */
  aggregate: (config: z.output<TConfig>, responses: readonly CountedResponse<z.output<TResponse>>[]) => z.output<TResult>;
}

export type ActivityType<
  TName extends string = string,
  TConfig extends ObjectSchema = ObjectSchema,
  TResponse extends z.ZodType = z.ZodType,
  TResult extends z.ZodType = z.ZodType,
> = Readonly<ActivityTypeSpec<TName, TConfig, TResponse, TResult>>;

/**
 * A type erased to what the registry needs. Methods are declared as methods (bivariant
 * parameters) so any concrete type fits in one list.
 */
export interface AnyActivityType {
  readonly type: string;
  readonly description?: string;
  readonly config: z.ZodType;
  readonly response: z.ZodType;
  readonly result: z.ZodType;
  readonly mode: ResponseMode;
  readonly privateConfigFields?: readonly string[];
  checkResponse?(response: never, config: never): ResponseIssue[];
  moderated?(config: never): boolean;
  anonymous?(config: never): boolean;
  readonly sharedEntries?: boolean;
  readonly votes?: boolean;
  timeLimitSeconds?(config: never): number | undefined;
  score?(response: never, config: never): number;
  redactResult?(result: never, config: never): unknown;
  toText?(response: never): string;
  aggregate(config: never, responses: readonly CountedResponse<never>[]): unknown;
}

export const typeNamePattern = /^[a-z][a-z0-9_]{0,49}$/;

/** Declares an activity type. The built-ins are written with it; so is a deployer's own. */
export function defineActivityType<
  const TName extends string,
  TConfig extends ObjectSchema,
  TResponse extends z.ZodType,
  TResult extends z.ZodType,
>(spec: ActivityTypeSpec<TName, TConfig, TResponse, TResult>): ActivityType<TName, TConfig, TResponse, TResult> {
  if (!typeNamePattern.test(spec.type)) {
    throw new Error(`Activity type "${spec.type}": use lower-case letters, digits and _ (at most 50, starting with a letter)`);
  }
  // A vote needs an entry the voter can see.
  if (spec.votes === true && spec.sharedEntries !== true) {
    throw new Error(`Activity type "${spec.type}": votes require sharedEntries (participants vote on entries they see)`);
  }
  return Object.freeze({ ...spec });
}

export type ConfigOf<T> = T extends ActivityType<string, infer C, z.ZodType, z.ZodType> ? z.output<C> : never;
export type ConfigInputOf<T> = T extends ActivityType<string, infer C, z.ZodType, z.ZodType> ? z.input<C> : never;
export type ResponseOf<T> = T extends ActivityType<string, ObjectSchema, infer R, z.ZodType> ? z.output<R> : never;
export type ResultOf<T> = T extends ActivityType<string, ObjectSchema, z.ZodType, infer S> ? z.output<S> : never;

/** Helper for `checkResponse`: one issue at a path under `response_data`. */
export const issueAt = (path: IssuePath, reason: string): ResponseIssue => ({ path, reason });
