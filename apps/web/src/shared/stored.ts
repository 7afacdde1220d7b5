import { useCallback, useState } from "react";

/**
 * A value kept in localStorage under `key` (JSON), so a reload keeps it. Storage can be off
 * (private modes, quotas): then it lives for the page only.
 */
export function useStoredState<T>(key: string): [T | null, (value: T | null) => void] {
  const [value, setValue] = useState<T | null>(() => readStored<T>(key));
  const update = useCallback(
    (next: T | null) => {
      setValue(next);
      try {
        if (next === null) localStorage.removeItem(key);
        else localStorage.setItem(key, JSON.stringify(next));
      } catch {
        // Storage is unavailable: the value still holds for this page.
      }
    },
    [key],
  );
  return [value, update];
}

function readStored<T>(key: string): T | null {
  try {
    const text = localStorage.getItem(key);
    return text === null ? null : (JSON.parse(text) as T);
  } catch {
    return null;
  }
}
