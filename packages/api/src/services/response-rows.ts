import type { ActivityId, ModerationStatusValue, UserResponseRow } from "@caja/db";

/** A user_responses row as raw SQL returns it (snake_case; timestamps as Date or text by driver). */
export interface UserResponseSqlRow {
  id: string;
  session_id: number | string;
  activity_id: ActivityId;
  participant_id: number | string;
  response_data: unknown;
  created_at: Date | string;
  updated_at: Date | string;
  txid?: string;
  received_at?: Date | string;
  single_answer?: boolean;
  status?: ModerationStatusValue;
  ever_approved?: boolean;
  vote_count?: number | string;
  deleted_at?: Date | string | null;
}

export function fromSqlRow(row: UserResponseSqlRow): UserResponseRow {
  return {
    id: row.id,
    sessionId: Number(row.session_id),
    activityId: row.activity_id,
    participantId: Number(row.participant_id),
    // Both drivers decode jsonb already: a string here is a JSON string answer, not JSON text.
    responseData: row.response_data,
    createdAt: new Date(row.created_at),
    updatedAt: new Date(row.updated_at),
    txid: row.txid ?? "",
    receivedAt: new Date(row.received_at ?? row.updated_at),
    singleAnswer: row.single_answer ?? true,
    status: row.status ?? "approved",
    everApproved: row.ever_approved ?? (row.status ?? "approved") === "approved",
    voteCount: Number(row.vote_count ?? 0),
    deletedAt: row.deleted_at == null ? null : new Date(row.deleted_at),
  };
}
