/** The least a feed item needs for merging: its id and when it was last written. */
export interface Versioned {
  id: string;
  updated_at: string;
}

/** A feed tombstone: the id was deleted, or is no longer one the caller may see. */
export interface Removed extends Versioned {
  deleted: true;
}

const isRemoved = (item: Versioned): item is Removed => (item as Partial<Removed>).deleted === true;

/**
 * Merges a feed page into what is already known: a new id is appended, a known id is
 * replaced in place by its newer version (an edited response keeps its position), and a
 * tombstone (`deleted: true`) drops its id (it may name an id never seen: nothing to drop).
 * An equal `updated_at` also replaces: the feed delivers writes in commit order, so the
 * later delivery is the later write. Returns `current` itself when nothing was added, replaced or dropped.
 */
export function mergeFeedItems<T extends Versioned>(
  current: readonly T[],
  incoming: readonly (NoInfer<T> | Removed)[],
): readonly T[] {
  if (incoming.length === 0) return current;
  let merged = current.slice();
  let positions = new Map(merged.map((item, index) => [item.id, index]));
  let changed = false;
  for (const item of incoming) {
    const position = positions.get(item.id);
    if (isRemoved(item)) {
      if (position === undefined) continue;
      merged = merged.filter((known) => known.id !== item.id);
      positions = new Map(merged.map((known, index) => [known.id, index]));
      changed = true;
      continue;
    }
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
