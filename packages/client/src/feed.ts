/** The least a feed item needs for merging: its id and when it was last written. */
export interface Versioned {
  id: string;
  updated_at: string;
}

/**
 * Merges a feed page into what is already known: a new id is appended, a known id is
 * replaced in place by its newer version (an edited response keeps its position).
 * An equal `updated_at` also replaces: the feed delivers writes in commit order, so the
 * later delivery is the later write. Returns `current` itself when nothing was added or replaced.
 */
export function mergeFeedItems<T extends Versioned>(current: readonly T[], incoming: readonly T[]): readonly T[] {
  if (incoming.length === 0) return current;
  const positions = new Map(current.map((item, index) => [item.id, index]));
  const merged = current.slice();
  let changed = false;
  for (const item of incoming) {
    const position = positions.get(item.id);
    if (position === undefined) {
      positions.set(item.id, merged.length);
      merged.push(item);
      changed = true;
      continue;
    }
    const known = merged[position];
    // ISO-8601 UTC with milliseconds compares correctly as text.
    if (known === undefined || item.updated_at >= known.updated_at) {
      merged[position] = item;
      changed = true;
    }
  }
  return changed ? merged : current;
}
