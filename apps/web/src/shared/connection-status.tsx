import { httpStatusOf, retryAfterMs } from "@caja/client";
import { useEffect, useState } from "react";

interface Polled {
  failureReason: unknown;
  fetchStatus: "fetching" | "paused" | "idle";
  dataUpdatedAt: number;
}

type Connection = { state: "live" } | { state: "offline" } | { state: "limited"; retryMs?: number } | { state: "trouble" };

/**
 * What the polls behind a screen are going through. TanStack Query keeps the last good data
 * and retries with the SDK's backoff; this only says so, and goes back to "live" by itself.
 */
function connectionOf(queries: readonly Polled[], online: boolean): Connection {
  if (!online || queries.some((q) => q.fetchStatus === "paused")) return { state: "offline" };
  for (const query of queries) {
    if (!query.failureReason) continue;
    const status = httpStatusOf(query.failureReason);
    if (status === 429) return { state: "limited", retryMs: retryAfterMs(query.failureReason) };
    if (status === undefined) return { state: "offline" };
    if (status >= 500) return { state: "trouble" };
  }
  return { state: "live" };
}

function useOnline(): boolean {
  const [online, setOnline] = useState(() => navigator.onLine);
  useEffect(() => {
    const update = () => setOnline(navigator.onLine);
    window.addEventListener("online", update);
    window.addEventListener("offline", update);
    return () => {
      window.removeEventListener("online", update);
      window.removeEventListener("offline", update);
    };
  }, []);
  return online;
}

const text = {
  live: "Live",
  offline: "Offline: reconnecting…",
  limited: "Busy: slowing down…",
  trouble: "Server trouble: retrying…",
} as const;

/**
 * A small, steady badge. It is a polite live region, so a screen reader hears a change of
 * state, never each poll; 304s and successful polls change nothing here, so nothing flickers.
 */
export function ConnectionStatus({ queries }: { queries: readonly Polled[] }) {
  const online = useOnline();
  const connection = connectionOf(queries, online);
  const seconds = connection.state === "limited" && connection.retryMs ? Math.ceil(connection.retryMs / 1000) : undefined;
  return (
    <p className={`connection connection-${connection.state}`} role="status" aria-live="polite">
      <span className="dot" aria-hidden="true" />
      {text[connection.state]}
      {seconds ? ` (next try in ${seconds} s)` : ""}
    </p>
  );
}
