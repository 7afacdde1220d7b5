/**
 * Who may call a procedure: each procedure declares one rule in its `meta.access`;
 * the guard in `trpc.ts` enforces it and the OpenAPI document shows it (`x-caja-access`).
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
