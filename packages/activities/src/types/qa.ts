import { z } from "zod";
import { jsonTextBytes, resultListLimits, takeWithin } from "../bounded";
import { defineActivityType } from "../define";
import { compareText } from "../tally";
import { count, isoTimestamp, promptText } from "./fields";

export const qaConfig = z.strictObject({
  prompt: promptText(),
  /** New questions start pending; only approved ones are shown in results. */
  moderation: z.boolean({ error: "must be true or false" }).optional(),
  /** Results carry no nicknames. */
  anonymous: z.boolean({ error: "must be true or false" }).optional(),
});

export const qaResponse = z.strictObject({ question_text: promptText(500) });

export const qaResult = z
  .object({
    /**
     * Most votes first; equal votes: the older question first. The top ones only (at most 50, and
     * 32 KB of text); the others are in the response list and feed.
     */
    questions: z.array(
      z.object({
        id: z.string(),
        question_text: z.string(),
        votes: count,
        /** null when the Q&A is anonymous. */
        nickname: z.string().nullable(),
        created_at: isoTimestamp,
      }),
    ),
    /** Every question that counts, listed or not. */
    total_questions: count,
    /** True when `questions` leaves some out. */
    truncated: z.boolean(),
  })
  .meta({ id: "QaResult" });

export const qa = defineActivityType({
  type: "qa",
  description: "Participants ask questions and upvote each other's; optionally moderated and anonymous.",
  config: qaConfig,
  response: qaResponse,
  result: qaResult,
  mode: "multiple",
  sharedEntries: true,
  votes: true,
  moderated: (config) => config.moderation === true,
  anonymous: (config) => config.anonymous === true,
  toText: (response) => response.question_text,
  aggregate: (config, responses) => {
    const ordered = [...responses].sort(
      (a, b) => b.votes - a.votes || a.createdAt.getTime() - b.createdAt.getTime() || compareText(a.id, b.id),
    );
    const anonymous = config.anonymous === true;
    const top = takeWithin(
      ordered,
      (r) => jsonTextBytes(r.data.question_text) + (anonymous ? 0 : jsonTextBytes(r.nickname)),
      resultListLimits.entries,
    );
    return {
      questions: top.kept.map((r) => ({
        id: r.id,
        question_text: r.data.question_text,
        votes: r.votes,
        nickname: anonymous ? null : r.nickname,
        created_at: r.createdAt.toISOString(),
      })),
      total_questions: ordered.length,
      truncated: top.truncated,
    };
  },
});
