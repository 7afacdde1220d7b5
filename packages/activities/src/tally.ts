import type { ResponseIssue } from "./issues";

/** `part` of `total` in percent, rounded to one decimal; 0 when nobody answered. */
export const percentOf = (part: number, total: number): number => (total === 0 ? 0 : Math.round((part / total) * 1000) / 10);

/** How many responses chose each option, in the config's order. Options no longer in the config are not counted. */
export function tallyOptions(options: readonly string[], selections: Iterable<readonly string[]>): Map<string, number> {
  const counts = new Map(options.map((option) => [option, 0]));
  for (const selected of selections) {
    for (const [index, option] of selected.entries()) {
      if (selected.indexOf(option) !== index) continue;
      const current = counts.get(option);
      if (current !== undefined) counts.set(option, current + 1);
    }
  }
  return counts;
}

/** Every selected option is one of the config's, none twice, and exactly one unless several are allowed. */
export function checkSelection(selected: readonly string[], options: readonly string[], allowSeveral: boolean): ResponseIssue[] {
  // At most 20 options each side: linear scans beat building sets for every response.
  const issues: ResponseIssue[] = [];
  selected.forEach((option, index) => {
    if (!options.includes(option)) issues.push({ path: ["selected_options", index], reason: "Not one of the options" });
    else if (selected.indexOf(option) !== index) issues.push({ path: ["selected_options", index], reason: "Selected twice" });
  });
  if (!allowSeveral && selected.length !== 1) issues.push({ path: ["selected_options"], reason: "Select exactly one option" });
  return issues;
}

/** Code-unit order: the same on every machine and locale, for tie-breaks that must not depend on arrival order. */
export const compareText = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);
