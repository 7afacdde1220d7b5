import type { AdminClaims, Claims, ParticipantClaims } from "../auth/tokens";
import type { ActivityStatusRecord, SessionStatusRecord } from "../services/status";

/**
 * Who may call a procedure: each procedure declares one rule in its `meta.access`;
 * the guard (`access/guard.ts`, wired in `trpc.ts`) enforces it for tRPC, REST and
 * the GET fast path alike, and the OpenAPI document shows it (`x-caja-access`).
 */
export const accessRules = ["public", "admin", "owner", "member", "participant"] as const;

export type AccessRule = (typeof accessRules)[number];

/** One line per rule, for the OpenAPI document and the README. */
export const accessDescriptions: Record<AccessRule, string> = {
  public: "Anyone, without a token (limited per caller address).",
  admin: "Any admin token.",
  owner: "The admin who created the session.",
  member: "The admin who created the session, or a participant of that session (participants never see draft activities).",
  participant: "A participant of the session, acting as itself.",
};

/**
 * What the guard hands a procedure in its context, per rule: the verified claims and,
 * when the input names them (`session_id`, `activity_id`), the session or activity it
 * resolved from the polling cache. Activity-scoped calls get `activity` (which names
 * its session and owner), session-scoped ones `session`.
 */
export interface Scope<TClaims extends Claims | null = Claims | null> {
  claims: TClaims;
  session: SessionStatusRecord | null;
  activity: ActivityStatusRecord | null;
}

export interface ScopeByRule {
  public: { claims: null; session: null; activity: null };
  admin: { claims: AdminClaims; session: null; activity: null };
  owner: Scope<AdminClaims>;
  member: Scope<Claims>;
  participant: Scope<ParticipantClaims>;
}

/** The role a rule's token must carry, if any. */
export const requiredRole: Record<AccessRule, Claims["role"] | "none" | "any"> = {
  public: "none",
  admin: "admin",
  owner: "admin",
  member: "any",
  participant: "participant",
};

/** Participants never see a draft activity: its config may hold what they must not see yet (a quiz's answers). */
export const seesDrafts = (claims: Claims): boolean => claims.role === "admin";

/** The session a session-scoped procedure runs on (the guard resolved it from `session_id`). */
export function scopedSession(scope: { session: SessionStatusRecord | null }): SessionStatusRecord {
  if (!scope.session) throw new Error("The guard resolves the session only for inputs with session_id and no activity_id");
  return scope.session;
}

/** The activity an activity-scoped procedure runs on (the guard resolved it from `activity_id`). */
export function scopedActivity(scope: { activity: ActivityStatusRecord | null }): ActivityStatusRecord {
  if (!scope.activity) throw new Error("The guard resolves the activity only for inputs with activity_id");
  return scope.activity;
}
