import { z } from "zod";
import { jsonTextBytes, resultListLimits, takeWithin } from "../bounded";
import { defineActivityType } from "../define";
import { count, isoTimestamp, positiveInt, promptText } from "./fields";

/** Longest answer any open_text accepts; `max_length` can only lower it. */
export const openTextHardLimit = 5000;

export const openTextConfig = z.strictObject({
  question: promptText(),
  /** In characters (Unicode code points). */
  max_length: positiveInt(openTextHardLimit).optional(),
});

export const openTextResponse = z.strictObject({ text: promptText(openTextHardLimit) });

export const openTextResult = z
  .object({
    /** The latest entries (at most 50, and 32 KB of text), oldest first; the others are in the response list and feed. */
    entries: z.array(z.object({ id: z.string(), text: z.string(), nickname: z.string(), created_at: isoTimestamp })),
    /** Every entry that counts, listed or not. */
    total_entries: count,
    /** True when `entries` leaves older ones out. */
    truncated: z.boolean(),
  })
  .meta({ id: "OpenTextResult" });

const characters = (text: string): number => [...text].length;

export const openText = defineActivityType({
  type: "open_text",
  description: "Participants write free-text answers, several each if the activity allows.",
  config: openTextConfig,
  response: openTextResponse,
  result: openTextResult,
  mode: "multiple",
  checkResponse: (response, config) =>
    config.max_length !== undefined && characters(response.text) > config.max_length
      ? [{ path: ["text"], reason: `must be at most ${config.max_length} characters` }]
      : [],
  toText: (response) => response.text,
  aggregate: (_config, responses) => {
    const latest = takeWithin(
      [...responses].reverse(),
      (r) => jsonTextBytes(r.data.text) + jsonTextBytes(r.nickname),
      resultListLimits.entries,
    );
    return {
      entries: latest.kept
        .reverse()
        .map((r) => ({ id: r.id, text: r.data.text, nickname: r.nickname, created_at: r.createdAt.toISOString() })),
      total_entries: responses.length,
      truncated: latest.truncated,
    };
  },
});
