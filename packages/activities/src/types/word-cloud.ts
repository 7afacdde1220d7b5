import { z } from "zod";
import { jsonTextBytes, resultListLimits, takeWithin } from "../bounded";
import { defineActivityType } from "../define";
import type { ResponseIssue } from "../issues";
import { compareText } from "../tally";
import { displayWord, normalizeWord } from "../words";
import { count, positiveInt } from "./fields";

const maxWordsPerResponse = 100;
const maxWordLength = 100;

export const wordCloudConfig = z.strictObject({
  prompt: z.string({ error: "must be a string" }).trim().min(1, { error: "must not be empty" }).max(500, {
    error: "must be at most 500 characters",
  }),
  /** Counted over all of a participant's submissions: words beyond it are refused, and never counted. */
  max_words_per_participant: positiveInt(maxWordsPerResponse).optional(),
  /** New words start pending until the owner approves them. */
  moderation: z.boolean({ error: "must be true or false" }).optional(),
});

export const wordCloudResponse = z.strictObject({
  words: z
    .array(z.string({ error: "must be a string" }).max(maxWordLength, { error: `must be at most ${maxWordLength} characters` }), {
      error: "must be an array of strings",
    })
    .min(1, { error: "must contain at least one word" })
    .max(maxWordsPerResponse, { error: `must contain at most ${maxWordsPerResponse} words` }),
});

export const wordCloudResult = z
  .object({
    /**
     * Most frequent first, then by `normalized`. `word` is the most frequent spelling of the entry.
     * The top ones only (at most 100, and 32 KB of text); `total_words` and `distinct_words` count them all.
     */
    words: z.array(z.object({ word: z.string(), normalized: z.string(), count })),
    total_words: count,
    total_participants: count,
    /** Different words (entries), listed or not. */
    distinct_words: count,
    /** True when `words` leaves some out. */
    truncated: z.boolean(),
  })
  .meta({ id: "WordCloudResult" });

export const wordCloud = defineActivityType({
  type: "word_cloud",
  description: "Participants submit words; equal words (ignoring case, width and spacing) are counted together.",
  config: wordCloudConfig,
  response: wordCloudResponse,
  result: wordCloudResult,
  mode: "multiple",
  moderated: (config) => config.moderation === true,
  checkResponse: (response, config) => {
    const issues: ResponseIssue[] = response.words.flatMap((word, index) =>
      displayWord(word) === "" ? [{ path: ["words", index], reason: "must not be blank" }] : [],
    );
    const cap = config.max_words_per_participant;
    if (cap !== undefined && response.words.length > cap)
      issues.push({ path: ["words"], reason: `must contain at most ${cap} words` });
    return issues;
  },
  toText: (response) => response.words.join("; "),
  aggregate: (config, responses) => {
    const cap = config.max_words_per_participant ?? Number.POSITIVE_INFINITY;
    const usedByParticipant = new Map<number, number>();
    const entries = new Map<string, { count: number; spellings: Map<string, number> }>();
    const participants = new Set<number>();
    let total = 0;
    // Crowds repeat themselves: normalise each distinct raw word once.
    const forms = new Map<string, { normalized: string; spelling: string }>();
    for (const response of responses) {
      for (const word of response.data.words) {
        let form = forms.get(word);
        if (form === undefined) forms.set(word, (form = { normalized: normalizeWord(word), spelling: displayWord(word) }));
        const { normalized, spelling } = form;
        const used = usedByParticipant.get(response.participantId) ?? 0;
        if (normalized === "" || used >= cap) continue;
        usedByParticipant.set(response.participantId, used + 1);
        participants.add(response.participantId);
        total++;
        const entry = entries.get(normalized) ?? { count: 0, spellings: new Map<string, number>() };
        entry.count++;
        entry.spellings.set(spelling, (entry.spellings.get(spelling) ?? 0) + 1);
        entries.set(normalized, entry);
      }
    }
    const words = [...entries].map(([normalized, entry]) => ({
      word: mostFrequent(entry.spellings),
      normalized,
      count: entry.count,
    }));
    words.sort((a, b) => b.count - a.count || compareText(a.normalized, b.normalized));
    const top = takeWithin(words, (w) => jsonTextBytes(w.word) + jsonTextBytes(w.normalized), resultListLimits.words);
    return {
      words: top.kept,
      total_words: total,
      total_participants: participants.size,
      distinct_words: words.length,
      truncated: top.truncated,
    };
  },
});

/** Ties go to the smallest spelling in code-unit order, so the choice does not depend on arrival order. */
function mostFrequent(spellings: Map<string, number>): string {
  let best = "";
  let bestCount = -1;
  for (const [spelling, n] of spellings) {
    if (n > bestCount || (n === bestCount && compareText(spelling, best) < 0)) {
      best = spelling;
      bestCount = n;
    }
  }
  return best;
}
