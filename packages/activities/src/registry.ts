import { z } from "zod";
import type { AnyActivityType, CountedResponse, ModerationStatus, ResponseMode, StoredResponse } from "./define";
import { aggregateGeneric } from "./generic";
import { configRoot, fromZodIssues, joinPath, parseReporting, responseRoot, type FieldIssue, type Validation } from "./issues";
import { rankParticipants, type ScoredAnswer } from "./leaderboard";
import { compareText } from "./tally";
import type { ActivityTypeInfo, LeaderboardEntry } from "./wire";

export interface RegistryOptions {
  /** When false, an activity of a type not in the registry is refused (`ALLOW_CUSTOM_ACTIVITY_TYPES=false`). Default true. */
  allowUnregistered?: boolean;
  /**
   * The most responses one participant may add to a multiple-mode activity that sets no
   * `max_responses_per_participant` of its own (`MAX_RESPONSES_PER_PARTICIPANT`). Default 100.
   */
  maxResponsesPerParticipant?: number;
}

/** `RegistryOptions.maxResponsesPerParticipant` when none is given. */
export const defaultMaxResponsesPerParticipant = 100;

/** A session's activity with its stored responses, as the leaderboard reads it. */
export interface ScoredActivity {
  type: string;
  config: unknown;
  responses: readonly StoredResponse[];
}

export interface ResultOptions {
  /** Participants' view before the activity completes: the type's `redactResult` applies (e.g. no correct answers). */
  redact?: boolean;
}

/**
 * A response counts in results when it is approved, or, for an activity that is not moderated,
 * when it is not rejected (entries left pending when moderation was switched off count).
 */
export const countsInResults = (status: ModerationStatus, moderated: boolean): boolean =>
  moderated ? status === "approved" : status !== "rejected";

const byCreation = (a: StoredResponse, b: StoredResponse): number =>
  a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id);

/** Inline, self-contained schemas: an empty metadata registry keeps the OpenAPI component ids (`.meta({ id })`) out. */
const jsonSchema = (schema: z.ZodType, io: "input" | "output") =>
  z.toJSONSchema(schema, { io, unrepresentable: "any", metadata: z.registry() }) as Record<string, unknown>;

export type ActivityRegistry = ReturnType<typeof createActivityRegistry>;

export function createActivityRegistry(types: readonly AnyActivityType[], options: RegistryOptions = {}) {
  const byName = new Map<string, AnyActivityType>();
  for (const t of types) {
    if (byName.has(t.type)) throw new Error(`Activity type "${t.type}" is registered twice`);
    byName.set(t.type, t);
  }
  const allowUnregistered = options.allowUnregistered ?? true;
  const defaultCap = options.maxResponsesPerParticipant ?? defaultMaxResponsesPerParticipant;
  if (!Number.isInteger(defaultCap) || defaultCap < 1) throw new Error("maxResponsesPerParticipant must be a positive integer");
  let listing: ActivityTypeInfo[] | undefined;

  /** The stored config as the type reads it, or undefined when it does not fit the type (e.g. stored before the type existed). */
  const parsedConfig = (t: AnyActivityType, config: unknown): unknown => {
    const parsed = t.config.safeParse(config);
    return parsed.success ? parsed.data : undefined;
  };

  const checkResponse = (t: AnyActivityType, config: unknown, data: unknown): Validation<unknown> => {
    const parsed = parseReporting(t.response, data);
    if (!parsed.success) return { ok: false, issues: fromZodIssues(responseRoot, parsed.error.issues) };
    const issues = t.checkResponse?.(parsed.data as never, config as never) ?? [];
    if (issues.length > 0)
      return { ok: false, issues: issues.map((i) => ({ field: joinPath(responseRoot, i.path), reason: i.reason })) };
    return { ok: true, value: parsed.data };
  };

  const isModerated = (type: string, config: unknown): boolean => {
    const t = byName.get(type);
    const parsed = t && parsedConfig(t, config);
    return t?.moderated !== undefined && parsed !== undefined ? t.moderated(parsed as never) : false;
  };

  /** Counted responses with validated data, in canonical order; invalid ones (e.g. an option since removed) are left out. */
  const countedResponses = (
    t: AnyActivityType | undefined,
    config: unknown,
    moderated: boolean,
    responses: readonly StoredResponse[],
  ) => {
    const counted: CountedResponse<unknown>[] = [];
    for (const r of [...responses].sort(byCreation)) {
      if (!countsInResults(r.status, moderated)) continue;
      if (!t) {
        counted.push(r);
        continue;
      }
      const checked = checkResponse(t, config, r.data);
      if (checked.ok) counted.push({ ...r, data: checked.value });
    }
    return counted;
  };

  return {
    get: (type: string): AnyActivityType | undefined => byName.get(type),
    has: (type: string): boolean => byName.has(type),
    allowsUnregistered: allowUnregistered,

    /** Every registered type with the JSON Schema of its config (as sent), response (as sent) and result. */
    list(): ActivityTypeInfo[] {
      listing ??= [...byName.values()].map((t) => ({
        type: t.type,
        description: t.description ?? null,
        mode: t.mode,
        private_config_fields: [...(t.privateConfigFields ?? [])],
        scored: t.score !== undefined,
        shared_entries: t.sharedEntries === true,
        votes: t.votes === true,
        default_max_responses_per_participant: t.mode === "multiple" ? defaultCap : null,
        config_schema: jsonSchema(t.config, "input"),
        response_schema: jsonSchema(t.response, "input"),
        result_schema: jsonSchema(t.result, "output"),
      }));
      return listing;
    },

    /** A config for an activity of this type, as it will be stored (trimmed, defaults applied). */
    validateConfig(type: string, config: unknown): Validation<Record<string, unknown>> {
      const t = byName.get(type);
      if (!t) {
        if (!allowUnregistered) return { ok: false, issues: [{ field: "type", reason: `Unknown activity type "${type}"` }] };
        return isObject(config)
          ? { ok: true, value: config }
          : { ok: false, issues: [{ field: configRoot, reason: "must be an object" }] };
      }
      const parsed = parseReporting(t.config, config);
      if (!parsed.success) return { ok: false, issues: fromZodIssues(configRoot, parsed.error.issues) };
      return { ok: true, value: parsed.data as Record<string, unknown> };
    },

    /** A response to an activity of this type and config; unregistered types accept any JSON. */
    validateResponse(type: string, config: unknown, data: unknown): Validation<unknown> {
      const t = byName.get(type);
      if (!t) return { ok: true, value: data };
      const parsed = parsedConfig(t, config);
      if (parsed === undefined) {
        const issue: FieldIssue = { field: configRoot, reason: `The activity's configuration does not fit the type "${type}"` };
        return { ok: false, issues: [issue] };
      }
      return checkResponse(t, parsed, data);
    },

    /** A registered type's mode; for any other type, the activity's own `response_mode` (default single). */
    responseMode: (type: string, activityMode: ResponseMode = "single"): ResponseMode => byName.get(type)?.mode ?? activityMode,

    /**
     * How many responses one participant may add to an activity in this mode: its own
     * `max_responses_per_participant`, else the deployment's default; none in single mode
     * (a resubmission replaces the one answer).
     */
    responseCap: (mode: ResponseMode, activityCap: number | null): number | null =>
      mode === "multiple" ? (activityCap ?? defaultCap) : null,

    isModerated,
    /** True when participants must not learn who wrote others' entries (the type's `anonymous`, e.g. a qa with anonymous: true). */
    isAnonymous(type: string, config: unknown): boolean {
      const t = byName.get(type);
      const parsed = t && parsedConfig(t, config);
      return t?.anonymous !== undefined && parsed !== undefined ? t.anonymous(parsed as never) : false;
    },
    /** The status a new response starts with. */
    initialStatus: (type: string, config: unknown): ModerationStatus => (isModerated(type, config) ? "pending" : "approved"),

    /** Participants see each other's approved entries; unregistered types: only their own. */
    sharesEntries: (type: string): boolean => byName.get(type)?.sharedEntries === true,
    /** Participants may upvote each other's entries; never for unregistered types. */
    takesVotes: (type: string): boolean => byName.get(type)?.votes === true,
    /** The names of the types with a capability, for SQL that filters on `activities.type`. */
    typesWith(capability: "sharedEntries" | "votes"): string[] {
      return [...byName.values()].filter((t) => t[capability] === true).map((t) => t.type);
    },

    privateConfigFields: (type: string): readonly string[] => byName.get(type)?.privateConfigFields ?? [],

    /** The config without its private fields: what participants receive before the activity completes. */
    publicConfig(type: string, config: Record<string, unknown>): Record<string, unknown> {
      const hidden = new Set(byName.get(type)?.privateConfigFields ?? []);
      return hidden.size === 0 ? config : Object.fromEntries(Object.entries(config).filter(([key]) => !hidden.has(key)));
    },

    /** When answers stop being accepted, for a type with a time limit; null otherwise or before the activity starts. */
    endsAt(type: string, config: unknown, startedAt: Date | null): Date | null {
      const t = byName.get(type);
      const parsed = t && parsedConfig(t, config);
      const seconds = parsed !== undefined ? t?.timeLimitSeconds?.(parsed as never) : undefined;
      return seconds === undefined || startedAt === null ? null : new Date(startedAt.getTime() + seconds * 1000);
    },

    /**
     * `results` of the results route, computed from scratch from the stored responses: exact by
     * construction (the text types list only their first entries, `resultListLimits`, with exact
     * totals). Unregistered types, and registered ones whose stored config no longer fits,
     * get the generic result.
     */
    results(type: string, config: unknown, responses: readonly StoredResponse[], resultOptions: ResultOptions = {}): unknown {
      const t = byName.get(type);
      const parsed = t && parsedConfig(t, config);
      if (!t || parsed === undefined) return aggregateGeneric(countedResponses(undefined, config, false, responses));
      const counted = countedResponses(t, parsed, isModerated(type, config), responses);
      const result = t.aggregate(parsed as never, counted as never);
      return resultOptions.redact && t.redactResult ? t.redactResult(result as never, parsed as never) : result;
    },

    /** A response as one line of text for an export (the type's `toText`, else JSON); strings stay as they are. */
    answerText(type: string, data: unknown): string {
      const t = byName.get(type);
      const parsed = t?.toText ? t.response.safeParse(data) : undefined;
      if (t?.toText && parsed?.success) return t.toText(parsed.data as never);
      return typeof data === "string" ? data : JSON.stringify(data);
    },

    /**
     * Participants' total points across the given activities of scored types (e.g. a session's
     * quizzes); others are ignored. Pass only completed activities when participants will see it.
     */
    leaderboard(activities: readonly ScoredActivity[]): LeaderboardEntry[] {
      const answers: ScoredAnswer[] = [];
      for (const activity of activities) {
        const t = byName.get(activity.type);
        const parsed = t && parsedConfig(t, activity.config);
        if (!t?.score || parsed === undefined) continue;
        for (const r of countedResponses(t, parsed, isModerated(activity.type, activity.config), activity.responses)) {
          answers.push({
            participantId: r.participantId,
            nickname: r.nickname,
            points: t.score(r.data as never, parsed as never),
          });
        }
      }
      return rankParticipants(answers);
    },
  };
}

const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
