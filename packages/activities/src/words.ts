/**
 * The key a word-cloud entry is counted under: Unicode NFKC, case-folded, trimmed,
 * inner whitespace collapsed to one space. Idempotent (tested, and a property).
 *
 * JavaScript has no full case folding; upper- then lower-casing comes close (ß -> ss,
 * and NFKC already turned ligatures like ﬁ into fi), and a final sigma is folded to σ.
 */
export function normalizeWord(text: string): string {
  // One round is not a fixed point: "ẞ" lowers to "ß", whose upper case is "SS". Fold until nothing moves.
  let folded = text;
  for (let round = 0; round < 4; round++) {
    const next = foldOnce(folded);
    if (next === folded) break;
    folded = next;
  }
  return collapseWhitespace(folded);
}

const foldOnce = (text: string): string =>
  text.normalize("NFKC").toUpperCase().toLowerCase().replace(/ς/g, "σ").normalize("NFKC");

/** A spelling as shown: NFKC, trimmed, inner whitespace collapsed, case kept. */
export function displayWord(text: string): string {
  return collapseWhitespace(text.normalize("NFKC"));
}

const collapseWhitespace = (text: string): string => text.replace(/\s+/gu, " ").trim();
