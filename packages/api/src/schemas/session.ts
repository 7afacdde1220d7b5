import { z } from "zod";
import type { SessionRow } from "@caja/db";
import {
  nonNegativeInt,
  nullableTimestamp,
  pageInput,
  pageOf,
  positiveInt,
  serialId,
  sessionId,
  sessionLifecycle,
  storable,
  storableText,
  timestamp,
  titleText,
  toIso,
  toIsoOrNull,
  uuidId,
} from "./common";

const description = z
  .string()
  .max(10_000, { error: "must be at most 10000 characters" })
  .refine(storableText, storable)
  .nullable();
const maxParticipants = z.number().int().min(1).max(100_000);

export const session = z
  .object({
    id: serialId,
    title: z.string(),
    description: z.string().nullable(),
    status: sessionLifecycle,
    join_code: z.string(),
    max_participants: positiveInt,
    participant_count: nonNegativeInt,
    joins_locked: z.boolean().meta({ description: "New joins answer 409 JOINS_LOCKED; those inside stay" }),
    current_activity_id: uuidId.nullable(),
    created_by: z
      .string()
      .optional()
      .meta({ description: "The owner's token subject (an identity-provider subject or an email): sent to the owner only" }),
    created_at: timestamp,
    updated_at: timestamp,
    started_at: nullableTimestamp,
    completed_at: nullableTimestamp,
  })
  .meta({ id: "Session" });
export type Session = z.infer<typeof session>;

export const sessionPage = pageOf(session).meta({ id: "SessionPage" });

export const createSessionInput = z
  .object({
    title: titleText,
    description: description.optional(),
    max_participants: maxParticipants.optional(),
    joins_locked: z.boolean().optional(),
  })
  .meta({ title: "CreateSessionRequest" });

export const listSessionsInput = z.object({ ...pageInput, status: sessionLifecycle.optional() });

export const sessionRef = z.object({ session_id: sessionId });

export const updateSessionInput = createSessionInput
  .partial()
  .extend({ session_id: sessionId })
  .meta({ title: "UpdateSessionRequest" });

export const setSessionStatusInput = z
  .object({ session_id: sessionId, status: sessionLifecycle })
  .meta({ title: "UpdateSessionStatusRequest" });

/** Who reads a session: the owner gets everything, participants the public view. */
export type SessionViewer = "owner" | "participant";

/**
 * Participants never receive `created_by`: it names the owner in the identity provider (often an
 * email). Every session a procedure returns goes through here, so no read can forget it.
 */
export function toSessionWire(row: SessionRow, viewer: SessionViewer): Session {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: row.status,
    join_code: row.joinCode,
    max_participants: row.maxParticipants,
    participant_count: row.participantCount,
    joins_locked: row.joinsLocked,
    current_activity_id: row.currentActivityId,
    ...(viewer === "owner" ? { created_by: row.createdBy } : {}),
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    started_at: toIsoOrNull(row.startedAt),
    completed_at: toIsoOrNull(row.completedAt),
  };
}
