// Results computed in the browser from the response feed, shaped like the results route of
// issue 9 (`results` of `GET .../activities/{id}/results`), so that switching to `useResults`
// replaces the computation and nothing that draws it.

interface Answer {
  response_data?: unknown;
}

export interface OptionResults {
  options: { option: string; count: number; percentage: number }[];
  total_voters: number;
}

const field = (data: unknown, key: string): unknown =>
  typeof data === "object" && data !== null ? (data as Record<string, unknown>)[key] : undefined;

const percent = (count: number, total: number) => (total === 0 ? 0 : Math.round((count / total) * 1000) / 10);

/** Votes per option of a poll or quiz; each response is one voter (the feed holds the latest version of each). */
export function tallyOptions(options: readonly string[], answers: readonly Answer[]): OptionResults {
  const counts = new Map(options.map((option) => [option, 0]));
  let voters = 0;
  for (const answer of answers) {
    const selected = field(answer.response_data, "selected_options");
    if (!Array.isArray(selected)) continue;
    voters += 1;
    for (const option of new Set(selected)) {
      if (typeof option === "string" && counts.has(option)) counts.set(option, (counts.get(option) ?? 0) + 1);
    }
  }
  return {
    options: options.map((option) => ({
      option,
      count: counts.get(option) ?? 0,
      percentage: percent(counts.get(option) ?? 0, voters),
    })),
    total_voters: voters,
  };
}

export interface RatingResults {
  average: number | null;
  count: number;
  histogram: { value: number; count: number }[];
}

export function tallyRating(config: { min: number; max: number; step?: number }, answers: readonly Answer[]): RatingResults {
  const step = config.step && config.step > 0 ? config.step : 1;
  const buckets = new Map<number, number>();
  for (let v = config.min; v <= config.max + 1e-9; v += step) buckets.set(Math.round(v * 1000) / 1000, 0);
  let sum = 0;
  let count = 0;
  for (const answer of answers) {
    const value = field(answer.response_data, "value");
    if (typeof value !== "number" || !Number.isFinite(value)) continue;
    sum += value;
    count += 1;
    const key = Math.round(value * 1000) / 1000;
    buckets.set(key, (buckets.get(key) ?? 0) + 1);
  }
  return {
    average: count ? Math.round((sum / count) * 100) / 100 : null,
    count,
    histogram: [...buckets].sort(([a], [b]) => a - b).map(([value, n]) => ({ value, count: n })),
  };
}

export interface WordResults {
  words: { word: string; count: number }[];
}

const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const displayWord = (text: string) => text.normalize("NFKC").replace(/\s+/gu, " ").trim();
// Case folding as the server's registry does it (upper then lower, final sigma folded);
// test/contract.test.ts checks these tallies against @caja/activities.
const normalizeWord = (text: string) => displayWord(text.toUpperCase().toLowerCase().replace(/ς/g, "σ"));

/**
 * Words counted after Unicode NFKC, case folding, trimming and collapsing spaces; each shown in
 * its most frequent spelling (ties: the first in code-unit order); most frequent first.
 */
export function tallyWords(answers: readonly Answer[]): WordResults {
  const groups = new Map<string, { count: number; spellings: Map<string, number> }>();
  for (const answer of answers) {
    const words = field(answer.response_data, "words");
    if (!Array.isArray(words)) continue;
    for (const word of words) {
      if (typeof word !== "string") continue;
      const key = normalizeWord(word);
      if (!key) continue;
      const spelling = displayWord(word);
      const group = groups.get(key) ?? { count: 0, spellings: new Map<string, number>() };
      group.count += 1;
      group.spellings.set(spelling, (group.spellings.get(spelling) ?? 0) + 1);
      groups.set(key, group);
    }
  }
  return {
    words: [...groups]
      .sort(([a, ga], [b, gb]) => gb.count - ga.count || byCodeUnits(a, b))
      .map(([, g]) => ({
        word: [...g.spellings].sort(([a, na], [b, nb]) => nb - na || byCodeUnits(a, b))[0]?.[0] ?? "",
        count: g.count,
      })),
  };
}

/** The text each response carries under `key` (a Q&A question, an open answer), oldest first. */
export function textsOf(answers: readonly (Answer & { id: string })[], key: string): { id: string; text: string }[] {
  return answers.flatMap((answer) => {
    const text = field(answer.response_data, key);
    return typeof text === "string" ? [{ id: answer.id, text }] : [];
  });
}
