import { z } from "zod";
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
    /** Most votes first; equal votes: the older question first. */
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
    total_questions: count,
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
    return {
      questions: ordered.map((r) => ({
        id: r.id,
        question_text: r.data.question_text,
        votes: r.votes,
        nickname: config.anonymous === true ? null : r.nickname,
        created_at: r.createdAt.toISOString(),
      })),
      total_questions: ordered.length,
    };
  },
});
