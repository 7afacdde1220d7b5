import { z } from "zod";
import { textLimits, type ParticipantRow } from "@caja/db";
import {
  pageInput,
  pageOf,
  participantRef,
  serialId,
  sessionId,
  sessionLifecycle,
  storable,
  storableText,
  timestamp,
  toIso,
} from "./common";

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

const online = z.boolean().meta({ description: "Whether the participant's own requests arrived in the last 30 s" });

/** The owner's view of a participant: everything, and whether it is online. */
export const participantWithPresence = participant.extend({ online }).meta({ id: "ParticipantWithPresence" });
export const participantPage = pageOf(participantWithPresence).meta({ id: "ParticipantPage" });

/** A participant's view of the others in its session, for a lobby screen. */
export const lobbyParticipant = z.object({ nickname: z.string(), joined_at: timestamp, online }).meta({ id: "LobbyParticipant" });
export const lobbyPage = pageOf(lobbyParticipant).meta({ id: "LobbyPage" });

/** The owner gets `ParticipantPage`, a participant of the session `LobbyPage`. */
export const participantList = z.union([participantPage, lobbyPage]).meta({ id: "ParticipantList" });

/** A join code as typed: trimmed, upper-cased (codes are read aloud and typed from a projector). */
export const joinCode = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(textLimits.joinCode, { error: `must be at most ${textLimits.joinCode} characters` })
  .refine(storableText, storable)
  .transform((s) => s.toUpperCase());

/** A nickname as join stores and compares it (see `normaliseNickname`). */
export const nicknameInput = z
  .string()
  .max(4 * textLimits.nickname, { error: `must be at most ${textLimits.nickname} characters` })
  .refine(storableText, storable)
  .transform(normaliseNickname)
  .pipe(
    z
      .string()
      .max(textLimits.nickname, { error: `must be at most ${textLimits.nickname} characters` })
      // Default-ignorable code points (variation selectors, U+034F) are kept as typed but compared as absent.
      .refine((nickname) => nickname.replace(/\p{Default_Ignorable_Code_Point}/gu, "") !== "", {
        error: "must not be empty (after removing invisible characters)",
      }),
  )
  .meta({
    description:
      "Stored normalised (NFKC, invisible and control characters removed, spaces collapsed) and shown so; unique per session among look-alikes (Unicode UTS #39 confusable skeletons, default-ignorable code points ignored) ignoring case",
  });

export const joinSessionInput = z.object({ join_code: joinCode, nickname: nicknameInput }).meta({ title: "JoinSessionRequest" });

export const joinSessionOutput = z
  .object({
    participant,
    token: z.string().meta({ description: "Bearer token for this participant's further calls" }),
    expires_at: timestamp,
    session: z.object({ id: serialId, title: z.string(), status: sessionLifecycle }),
  })
  .meta({ id: "JoinResult" });

/** Zero-width joiners glue emoji together (👩‍💻): those stay; anywhere else one hides a character. */
const strayJoiner =
  /(?<!\p{Extended_Pictographic}(?:\u{FE0F}|[\u{1F3FB}-\u{1F3FF}])?)\u200D|\u200D(?!\p{Extended_Pictographic})/gu;
/** Control and format characters (zero-width spaces, direction marks), and the letters that render blank. */
const invisible = /(?!\u200D)[\p{Cc}\p{Cf}\u115F\u1160\u3164\uFFA0\u2800]/gu;

/**
 * A nickname as stored and compared: NFKC (full-width and styled letters become
 * plain ones), invisible and control characters removed, spaces trimmed and
 * collapsed, so "A\u200Bna" or "Ana " cannot sit beside "Ana" on the screen.
 */
export function normaliseNickname(text: string): string {
  return text.normalize("NFKC").replace(strayJoiner, "").replace(invisible, "").replace(/\s+/gu, " ").trim();
}

export const listParticipantsInput = z.object({ session_id: sessionId, ...pageInput });

export const removeParticipantInput = z.object({ session_id: sessionId, participant_id: participantRef });

export const leaveSessionInput = z.object({ session_id: sessionId });

export function toParticipantWithPresenceWire(row: ParticipantRow & { online: boolean }) {
  return { ...toParticipantWire(row), online: row.online };
}

export function toLobbyParticipantWire(row: ParticipantRow & { online: boolean }): z.infer<typeof lobbyParticipant> {
  return { nickname: row.nickname, joined_at: toIso(row.joinedAt), online: row.online };
}

export function toParticipantWire(row: ParticipantRow): Participant {
  return {
    id: row.id,
    session_id: row.sessionId,
    nickname: row.nickname,
    joined_at: toIso(row.joinedAt),
    last_seen_at: toIso(row.lastSeenAt),
  };
}
