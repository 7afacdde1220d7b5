import { builtInActivityTypes, createActivityRegistry, type ModerationStatus, type StoredResponse } from "../src";

export const registry = createActivityRegistry(builtInActivityTypes);

const t0 = Date.parse("2026-01-01T10:00:00.000Z");

/** A stored response from participant `participantId`, `second` seconds after t0. */
export function stored(
  participantId: number,
  data: unknown,
  extra: { second?: number; status?: ModerationStatus; votes?: number; id?: string; nickname?: string } = {},
): StoredResponse {
  const at = new Date(t0 + (extra.second ?? participantId) * 1000);
  return {
    id: extra.id ?? `r-${participantId}-${extra.second ?? 0}`,
    participantId,
    nickname: extra.nickname ?? `p${participantId}`,
    data,
    status: extra.status ?? "approved",
    votes: extra.votes ?? 0,
    createdAt: at,
    updatedAt: at,
  };
}

/** The issues of a failed validation, or [] when it passed. */
export const issuesOf = (v: { ok: true } | { ok: false; issues: unknown[] }) => (v.ok ? [] : v.issues);
