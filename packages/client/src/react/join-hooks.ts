import { keepPreviousData, skipToken, useQuery, type UseQueryResult } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { cajaErrorCode, isTransientError, type CajaClientError } from "../errors";
import type { JoinPreview } from "../types";
import { useTRPC } from "./trpc-context";

/** A value that follows `value` once it has stopped changing for `delayMs` (typing pauses). */
function useSettled<T>(value: T, delayMs: number): T {
  const [settled, setSettled] = useState(value);
  useEffect(() => {
    const timer = setTimeout(() => setSettled(value), delayMs);
    return () => clearTimeout(timer);
  }, [value, delayMs]);
  return settled;
}

// Retried only while waiting can help (network, 429, 5xx); a 404 or 400 is the answer.
const retryTransient = (failures: number, error: unknown) => failures < 3 && isTransientError(error);

export interface JoinPreviewOptions {
  /** Wait this long after the code last changed before asking (default 300 ms); the first code is asked at once. */
  debounceMs?: number;
  /** Ask again this often while the screen shows it, so a session that starts, ends or fills is seen (default 10 s). */
  refetchIntervalMs?: number;
}

/**
 * What a join screen may show before joining: `{ title, status, accepts_joins }` of the
 * session with this code (`participant.preview`, public). An empty code waits; an unknown
 * one fails with `NOT_FOUND` (`cajaErrorCode(query.error)`).
 */
export function useJoinPreview(
  joinCode: string | null | undefined,
  { debounceMs = 300, refetchIntervalMs = 10_000 }: JoinPreviewOptions = {},
): UseQueryResult<JoinPreview, CajaClientError> {
  const trpc = useTRPC();
  const code = useSettled((joinCode ?? "").trim().toUpperCase(), debounceMs);
  return useQuery(
    trpc.participant.preview.queryOptions(code ? { join_code: code } : skipToken, {
      retry: retryTransient,
      refetchInterval: (query) => (query.state.status === "error" ? false : refetchIntervalMs),
      refetchIntervalInBackground: false,
    }),
  );
}

/** Where a nickname check stands, for a join form to show beside the field. */
export type NicknameCheck =
  | { state: "idle" }
  /** Waiting for typing to pause, or for the answer. */
  | { state: "checking" }
  /** `nickname` is the form a join would store (normalised). */
  | { state: "available" | "taken"; nickname: string }
  /** The server refused the nickname itself (400): `reason` says why. */
  | { state: "invalid"; reason: string }
  /** The check could not be made (unknown code, offline, rate limited): let the join itself decide. */
  | { state: "unknown"; error: CajaClientError };

/**
 * Checks a nickname against a session while the user types (`participant.nicknameAvailability`,
 * public), once typing pauses for `debounceMs` (default 400 ms). Nicknames are compared as
 * join compares them (case, invisible characters, spaces); a join can still race for one.
 */
export function useNicknameCheck(
  joinCode: string | null | undefined,
  nickname: string,
  { debounceMs = 400 }: { debounceMs?: number } = {},
): NicknameCheck {
  const trpc = useTRPC();
  const code = (joinCode ?? "").trim().toUpperCase();
  // A string, not an object: the settled value must compare equal across renders.
  const asked = `${code}\u0000${nickname}`;
  const settled = useSettled(asked, debounceMs);
  const current = settled === asked;
  const [settledCode = "", settledNickname = ""] = settled.split("\u0000");
  const query = useQuery(
    trpc.participant.nicknameAvailability.queryOptions(
      settledCode && settledNickname.trim() ? { join_code: settledCode, nickname: settledNickname } : skipToken,
      { retry: retryTransient, staleTime: 5_000, placeholderData: keepPreviousData },
    ),
  );
  if (!code || !nickname.trim()) return { state: "idle" };
  if (!current || query.isPlaceholderData || query.isPending) return { state: "checking" };
  if (query.error) {
    if (cajaErrorCode(query.error) === "VALIDATION_ERROR") return { state: "invalid", reason: reasonOf(query.error) };
    return { state: "unknown", error: query.error };
  }
  return { state: query.data.available ? "available" : "taken", nickname: query.data.nickname };
}

function reasonOf(error: CajaClientError): string {
  const details = (error.data as { details?: { reason?: unknown } } | undefined)?.details;
  return typeof details?.reason === "string" ? details.reason : error.message;
}
