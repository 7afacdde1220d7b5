/**
 * How much of a text type's entries its `results` carry. Every phone polls the results every
 * few seconds, and one open_text activity can hold thousands of answers of 5,000 characters:
 * results carry the first entries of the type's order (the latest answers, the most voted
 * questions, the most frequent words) plus exact totals; the rest is read through the paginated
 * response list or the feed. So a results body stays under about 40 KB whatever the activity holds.
 */
export const resultListLimits = {
  /** Entries of an open_text or qa result. */
  entries: 50,
  /** Words of a word_cloud result. */
  words: 100,
  /** Of the entries' texts together, as UTF-8 JSON strings (escapes included). */
  textBytes: 32 * 1024,
} as const;

/** The UTF-8 length of `text` written as a JSON string: what it adds to a body. */
export function jsonTextBytes(text: string): number {
  const json = JSON.stringify(text);
  let bytes = json.length;
  for (let i = 0; i < json.length; i++) {
    const unit = json.charCodeAt(i);
    // A surrogate pair is 2 units and 4 bytes (JSON.stringify escapes lone ones as ASCII);
    // any other unit past U+007F is 2 or 3 bytes.
    if (unit >= 0xd800 && unit <= 0xdbff) {
      bytes += 2;
      i++;
    } else if (unit >= 0x800) bytes += 2;
    else if (unit >= 0x80) bytes += 1;
  }
  return bytes;
}

/**
 * The leading items of `ordered` that fit: at most `maxItems`, and their `sizeOf` together at
 * most `maxBytes` (the first item is always taken, so a list of anything is never empty).
 * `truncated`: some were left out.
 */
export function takeWithin<T>(
  ordered: readonly T[],
  sizeOf: (item: T) => number,
  maxItems: number,
  maxBytes: number = resultListLimits.textBytes,
): { kept: T[]; truncated: boolean } {
  const kept: T[] = [];
  let bytes = 0;
  for (const item of ordered) {
    if (kept.length >= maxItems) break;
    bytes += sizeOf(item);
    if (bytes > maxBytes && kept.length > 0) break;
    kept.push(item);
  }
  return { kept, truncated: kept.length < ordered.length };
}
