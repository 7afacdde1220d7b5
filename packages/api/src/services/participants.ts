import { and, asc, count, eq, inArray, isUniqueViolation, participants, sessions, sql, type ParticipantRow } from "@caja/db";
import { CajaError } from "../errors";
import { cacheKeys } from "./cache-keys";
import type { ServiceDeps } from "./deps";

export interface JoinResult {
  participant: ParticipantRow;
  session: { id: number; title: string; status: "draft" | "active" | "completed" };
}

/**
 * Joins by code while the session is in its lobby (draft) or active. The
 * conditional increment of `participant_count` is what enforces the cap
 * exactly when many join at once; a taken nickname rolls it back.
 */
export async function joinSession(deps: ServiceDeps, joinCode: string, nickname: string): Promise<JoinResult> {
  const result = await deps.db
    .transaction(async (tx) => {
      const [session] = await tx
        .update(sessions)
        .set({ participantCount: sql`${sessions.participantCount} + 1`, updatedAt: sql`now()` })
        .where(
          and(
            eq(sessions.joinCode, joinCode),
            inArray(sessions.status, ["draft", "active"]),
            sql`${sessions.participantCount} < ${sessions.maxParticipants}`,
          ),
        )
        .returning({ id: sessions.id, title: sessions.title, status: sessions.status });
      if (!session) return null;
      const [participant] = await tx.insert(participants).values({ sessionId: session.id, nickname }).returning();
      if (!participant) throw new Error("insert returned no row");
      return { participant, session };
    })
    .catch((error: unknown) => {
      if (isUniqueViolation(error)) {
        throw new CajaError("NICKNAME_TAKEN", "That nickname is already taken in this session", {
          field: "nickname",
          reason: "taken",
        });
      }
      throw error;
    });
  if (result) {
    await deps.cache.invalidate([cacheKeys.sessionStatus(result.session.id)]);
    return result;
  }
  const [session] = await deps.db
    .select({ status: sessions.status, max: sessions.maxParticipants })
    .from(sessions)
    .where(eq(sessions.joinCode, joinCode));
  if (!session) {
    throw new CajaError("NOT_FOUND", "No session has this join code", { field: "join_code", reason: "unknown" });
  }
  if (session.status === "completed") {
    throw new CajaError("SESSION_CLOSED", "This session has ended", { field: "join_code", reason: "completed" });
  }
  throw new CajaError("SESSION_FULL", "This session is full", { max_participants: session.max });
}

export async function listParticipants({ db }: ServiceDeps, sessionId: number, limit: number, offset: number) {
  const where = eq(participants.sessionId, sessionId);
  const [rows, [total]] = await Promise.all([
    db.select().from(participants).where(where).orderBy(asc(participants.id)).limit(limit).offset(offset),
    db.select({ n: count() }).from(participants).where(where),
  ]);
  return { rows, total: total?.n ?? 0 };
}
