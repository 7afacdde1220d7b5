import { z } from "zod";
import type { ParticipantRow } from "@caja/db";
import { pageInput, pageOf, serialId, sessionId, sessionLifecycle, storable, timestamp, toIso, withoutNul } from "./common";

export const participant = z
  .object({
    id: serialId,
    session_id: serialId,
    nickname: z.string(),
    joined_at: timestamp,
    last_seen_at: timestamp,
  })
  .meta({ id: "Participant" });
export type Participant = z.infer<typeof participant>;

export const participantPage = pageOf(participant).meta({ id: "ParticipantPage" });

export const joinSessionInput = z
  .object({
    join_code: z
      .string()
      .trim()
      .min(1, { error: "must not be empty" })
      .max(12, { error: "must be at most 12 characters" })
      .refine(withoutNul, storable)
      .transform((s) => s.toUpperCase()),
    nickname: z
      .string()
      .trim()
      .min(1, { error: "must not be empty" })
      .max(50, { error: "must be at most 50 characters" })
      .refine(withoutNul, storable),
  })
  .meta({ title: "JoinSessionRequest" });

export const joinSessionOutput = z
  .object({
    participant,
    token: z.string().meta({ description: "Bearer token for this participant's further calls" }),
    expires_at: timestamp,
    session: z.object({ id: serialId, title: z.string(), status: sessionLifecycle }),
  })
  .meta({ id: "JoinResult" });

export const listParticipantsInput = z.object({ session_id: sessionId, ...pageInput });

export function toParticipantWire(row: ParticipantRow): Participant {
  return {
    id: row.id,
    session_id: row.sessionId,
    nickname: row.nickname,
    joined_at: toIso(row.joinedAt),
    last_seen_at: toIso(row.lastSeenAt),
  };
}
