/**
 * The key a word-cloud entry is counted under: Unicode NFKC, case-folded, trimmed,
 * inner whitespace collapsed to one space. Idempotent (tested).
 *
 * JavaScript has no full case folding; upper- then lower-casing comes close (ß -> ss,
 * and NFKC already turned ligatures like ﬁ into fi), and a final sigma is folded to σ.
 */
export function normalizeWord(text: string): string {
  const folded = text.normalize("NFKC").toUpperCase().toLowerCase().replace(/ς/g, "σ").normalize("NFKC");
  return collapseWhitespace(folded);
}

/** A spelling as shown: NFKC, trimmed, inner whitespace collapsed, case kept. */
export function displayWord(text: string): string {
  return collapseWhitespace(text.normalize("NFKC"));
}

const collapseWhitespace = (text: string): string => text.replace(/\s+/gu, " ").trim();
