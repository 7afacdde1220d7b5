import { z } from "zod";
import { lifecycleStatuses, maxSerialId, textLimits } from "@caja/db";
import { errorCodes } from "../errors";
import type { RowPage } from "../services/paginate";

/** ISO-8601 UTC with milliseconds, e.g. `2025-10-07T19:00:30.123Z`. */
export const timestamp = z.iso.datetime({ precision: 3 }).meta({ example: "2025-10-07T19:00:30.123Z" });
export const nullableTimestamp = timestamp.nullable();

export const lifecycleStatus = z.enum(lifecycleStatuses);
export type { LifecycleStatus } from "@caja/db";
/** The spec names the one lifecycle twice: generated clients get the `SessionStatus` and `ActivityStatus` enums. */
export const sessionLifecycle = lifecycleStatus.meta({ id: "SessionStatus" });
export const activityLifecycle = lifecycleStatus.meta({ id: "ActivityStatus" });

/** A serial id in a path or a body (int4). */
const serialRef = z.coerce
  .number<number>({ error: "must be an integer" })
  .int({ error: "must be an integer" })
  .min(1, { error: "must be positive" })
  .max(maxSerialId, { error: "out of range" });
export const sessionId = serialRef;
export const participantRef = serialRef;
export const activityId = z.uuid({ error: "must be a UUID" });
export const responseId = z.uuid({ error: "must be a UUID" });
/** A serial id as answered (or as a signed token carries it): generated clients learn it is at least 1. */
export const serialId = z.number().int().min(1);
/** A UUID id as answered. */
export const uuidId = z.uuid();
/** A count that is at least 1 (a capacity), as answered. */
export const positiveInt = z.number().int().min(1);
/** A count, offset or duration as answered. */
export const nonNegativeInt = z.number().int().min(0);

/**
 * What PostgreSQL cannot store is refused as invalid input rather than failing the
 * write with a 500: U+0000 (neither text nor jsonb holds it) and an unpaired UTF-16
 * surrogate (`"\ud800"` is valid JSON; jsonb refuses it, and text would silently
 * store U+FFFD instead).
 */
export const storable = { error: "must not contain U+0000 or an unpaired UTF-16 surrogate" } as const;
// A high surrogate not followed by a low one, or a low one not preceded by a high one.
const loneSurrogate = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
export const storableText = (text: string) => !text.includes("\u0000") && !loneSurrogate.test(text);

/**
 * How deep a stored JSON value may nest. Far beyond any activity's config or answer, and
 * well inside what JSON.stringify, PostgreSQL's jsonb parser and PGlite's smaller stack
 * manage, so the limit is this number rather than whichever stack overflows first.
 */
export const maxJsonDepth = 64;

/** Why a JSON value cannot be stored (a string or key `storableText` refuses, or too deep), or undefined. Iterative: bodies may nest deeply. */
export function jsonStorageProblem(value: unknown): string | undefined {
  const pending: Array<[unknown, number]> = [[value, 0]];
  while (pending.length > 0) {
    const [v, depth] = pending.pop() as [unknown, number];
    if (typeof v === "string") {
      if (!storableText(v)) return storable.error;
    } else if (v !== null && typeof v === "object") {
      if (depth >= maxJsonDepth) return `must not nest deeper than ${maxJsonDepth} levels`;
      if (Array.isArray(v)) {
        for (const item of v) pending.push([item, depth + 1]);
      } else {
        for (const [key, item] of Object.entries(v)) {
          if (!storableText(key)) return storable.error;
          pending.push([item, depth + 1]);
        }
      }
    }
  }
  return undefined;
}

const storableJson = (value: unknown, ctx: z.RefinementCtx) => {
  const problem = jsonStorageProblem(value);
  if (problem) ctx.addIssue({ code: "custom", message: problem });
};

/** Activity config: a JSON object whose shape belongs to the activity type. */
export const jsonObject = z.record(z.string(), z.unknown()).superRefine(storableJson);
/** Response data: any JSON value but null. */
export const jsonValue = z
  .unknown()
  .refine((v) => v !== undefined && v !== null, { error: "is required" })
  .superRefine(storableJson);

/** A `?limit=` that is refused, not clamped, when out of range. */
export const limitParam = (max: number, fallback: number) =>
  z.coerce
    .number<number>({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(1, { error: "must be at least 1" })
    .max(max, { error: `must be at most ${max}` })
    .default(fallback);

/** A display title: trimmed, 1 to `textLimits.title` characters. */
export const titleText = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(textLimits.title, { error: `must be at most ${textLimits.title} characters` })
  .refine(storableText, storable);

/** A list route's `?limit=`: at most `max`, `fallback` when not given. */
export const pageLimits = { max: 100, fallback: 20 } as const;

export const pageInput = {
  limit: limitParam(pageLimits.max, pageLimits.fallback),
  offset: z.coerce
    .number<number>({ error: "must be an integer" })
    .int({ error: "must be an integer" })
    .min(0, { error: "must be at least 0" })
    .default(0),
};

/** The spec's list envelope. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({
    items: z.array(item),
    total: nonNegativeInt,
    limit: z.number().int().min(1).max(pageLimits.max).meta({ description: "The page size asked for (`?limit=`)" }),
    offset: nonNegativeInt,
    has_next: z.boolean(),
    has_prev: z.boolean(),
  });
}

/** A page of rows as the spec's list envelope, each row mapped by its wire mapper. */
export function toPage<TRow, TItem>({ rows, total, limit, offset }: RowPage<TRow>, toWire: (row: TRow) => TItem) {
  const items = rows.map(toWire);
  return { items, total, limit, offset, has_next: offset + items.length < total, has_prev: offset > 0 };
}

export const errorBody = z
  .object({
    error: z.object({
      code: z.enum(Object.keys(errorCodes) as [keyof typeof errorCodes, ...(keyof typeof errorCodes)[]]),
      message: z.string(),
      details: z.record(z.string(), z.unknown()),
    }),
  })
  .meta({ id: "ErrorResponse" });

export const toIso = (d: Date) => d.toISOString();
export const toIsoOrNull = (d: Date | null) => (d ? d.toISOString() : null);
