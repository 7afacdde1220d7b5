import { existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/**
 * Unicode's `confusables.txt` (UTS #39, Unicode Security Mechanisms) exactly as Unicode publishes
 * it: its `# Version:` line says which (17.0.0; Node 20.20's ICU implements Unicode 17 for NFD and
 * the default-ignorable property). To update, replace it with the file from
 * https://www.unicode.org/Public/security/latest/ and the version in `packages/api/test/nickname-keys.test.ts`;
 * keys already stored are not recomputed (a look-alike pair the new data adds is refused only for
 * joins after it).
 */
export const confusablesFile = [
  new URL("../data/confusables.txt", import.meta.url),
  // A bundled server (apps/server/scripts/build.ts) carries a copy in dist/data beside its code.
  new URL("./data/confusables.txt", import.meta.url),
]
  .map((url) => fileURLToPath(url))
  .reduce((found, candidate) => (existsSync(found) ? found : candidate));

let prototypes: Map<string, string> | undefined;

/** Each source code point's prototype: `05AD ;\t0596 ;\tMA\t# ...` lines, hexadecimal code points. */
export function loadConfusables(text = readFileSync(confusablesFile, "utf8")): Map<string, string> {
  const map = new Map<string, string>();
  const codePoints = (hex: string) =>
    hex
      .trim()
      .split(/\s+/)
      .map((h) => String.fromCodePoint(parseInt(h, 16)))
      .join("");
  for (const line of text.split("\n")) {
    const match = /^([0-9A-F]{4,6})\s*;\s*([0-9A-F ]+?)\s*;\s*MA\b/.exec(line);
    if (match?.[1] && match[2]) map.set(codePoints(match[1]), codePoints(match[2]));
  }
  return map;
}

const defaultIgnorable = /\p{Default_Ignorable_Code_Point}/gu;

/**
 * UTS #39's internalSkeleton: NFD, default-ignorable code points removed, each code point
 * replaced by its prototype, NFD again. Two strings are confusable when their skeletons are
 * equal; a skeleton is a comparison key only, never shown. (The bidi skeleton for
 * right-to-left text is not computed.)
 */
export function skeleton(text: string): string {
  const map = (prototypes ??= loadConfusables());
  let out = "";
  for (const ch of text.normalize("NFD").replace(defaultIgnorable, "")) out += map.get(ch) ?? ch;
  return out.normalize("NFD");
}

/** The keys of `participants` a nickname is unique by among a session's present participants. */
export interface NicknameKeys {
  /** The nickname as shown: `Ivan` and `lvan`, `Ana` and `\u0410na` (Cyrillic). */
  shown: string;
  /** Lower-cased first: `Ana` and `\u0430NA`, `kim` and `Kirn`. */
  lower: string;
  /** Upper-cased first, where capitals meet their look-alikes: `Kate` and `\u041Aate`, `hi` and `\u041Di`. */
  upper: string;
}

/**
 * Nicknames are one when any of these keys is: look-alikes in UTS #39's sense, ignoring case.
 * Three keys rather than one skeleton of one case, whose equality would join `i` with `l` (through
 * `I`) and so refuse `Bili` beside `Bill`. Computed from the nickname as stored (normalised); empty
 * when it has nothing visible.
 */
export function nicknameKeys(nickname: string): NicknameKeys {
  return {
    shown: skeleton(nickname),
    lower: skeleton(nickname.toLowerCase()),
    upper: skeleton(nickname.toUpperCase()),
  };
}
