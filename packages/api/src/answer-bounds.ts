import { resultListLimits } from "@caja/activities";
import { textLimits } from "@caja/db";

/**
 * How large a procedure's answer can get, declared next to the procedure (`meta.answerBytes`),
 * so that a transport can refuse a request before any call runs when its calls together could
 * build more than it allows (a tRPC batch: packages/openapi, batch-budget.ts). Each bound is a
 * ceiling, not an estimate: every stored value it counts has a size limit (a response's data
 * MAX_RESPONSE_DATA_BYTES, a config MAX_CONFIG_BYTES, a title 255 characters, a page its
 * `limit`, a text type's result list `resultListLimits`); the leaderboard is the one exception.
 */

/** The deployment's size limits the bounds are written in (ApiSettings' values, or their defaults). */
export interface AnswerSizes {
  responseDataBytes: number;
  configBytes: number;
}

/** The most bytes one call's answer can reach for its raw input (not yet validated: anything). */
export type AnswerBound = (input: unknown, sizes: AnswerSizes) => number;

export const defaultAnswerSizes: AnswerSizes = { responseDataBytes: 16_384, configBytes: 32_768 };

/** A character of stored text written as JSON: at most 6 bytes (a control character's `\u0001`). */
const textBytes = (characters: number) => characters * 6;
/** Ids, timestamps, counts and keys of one record. */
const recordOverhead = 1024;

/** One record of each kind, at most. */
export const recordBounds = {
  response: (s: AnswerSizes) => s.responseDataBytes + recordOverhead,
  /** Its config and an unregistered type's private config, each at most MAX_CONFIG_BYTES, and a title. */
  activity: (s: AnswerSizes) => 2 * s.configBytes + textBytes(textLimits.title + textLimits.activityType) + recordOverhead,
  /** A title, a description of 10,000 characters and the owner's subject. */
  session: () => textBytes(textLimits.title + 10_000 + textLimits.createdBy) + recordOverhead,
  participant: () => textBytes(textLimits.nickname) + recordOverhead,
};

/**
 * An activity's results: a built-in type's result stays under this (a text type lists at most
 * `resultListLimits.textBytes` of text, a poll 20 options, a rating 1,000 steps). A deployer's
 * type should too; nothing checks it.
 */
export const resultsAnswerBytes = 2 * resultListLimits.textBytes;

/**
 * The session leaderboard is the one answer that grows with the room rather than with stored
 * limits: an entry (about 400 bytes) per participant who answered a quiz, up to the session's
 * max_participants. Counted as a room of about 2,500 players: not a ceiling.
 */
export const leaderboardAnswerBytes = 1024 * 1024;

/** What a procedure that declares no bound is counted at: the largest single record. */
export const recordAnswerBound: AnswerBound = (_input, sizes) => Math.max(recordBounds.activity(sizes), recordBounds.session());

/**
 * A page of rows of at most `row` bytes each: as many as the input's `limit` (a number or, from
 * a query string, its text), else `fallback`. A limit past `max` is refused by validation before
 * any row is read, so it is counted as `max`.
 */
export function pageBound(row: (sizes: AnswerSizes) => number, fallback: number, max: number): AnswerBound {
  return (input, sizes) => {
    const asked = typeof input === "object" && input !== null ? Number((input as { limit?: unknown }).limit) : NaN;
    const limit = Number.isInteger(asked) && asked >= 1 ? Math.min(asked, max) : fallback;
    return limit * row(sizes) + recordOverhead;
  };
}

/** A constant bound. */
export const fixedBound =
  (bytes: number): AnswerBound =>
  () =>
    bytes;
