import { z } from "zod";
import type { ActivityId, ModerationStatusValue, ResponseId, SessionId } from "@caja/db";
import type { ExportedResponse } from "../services/export";
import { activityId, sessionId, toIso } from "./common";

/** The formats an export is offered in; anything else is a 400 naming `format`. */
export const exportFormats = ["csv"] as const;
export const exportFormat = z.enum(exportFormats, { error: `must be one of: ${exportFormats.join(", ")}` });
export type ExportFormat = z.infer<typeof exportFormat>;

export const sessionExportInput = z.object({ session_id: sessionId, format: exportFormat.default("csv") });
export const activityExportInput = sessionExportInput.extend({ activity_id: activityId });

/**
 * What an export procedure answers once it has authorised the caller: what the
 * server streams (one row per response of the session, or of one activity) and
 * under which file name. The rows themselves are streamed by the HTTP layer
 * (`meta.produces`), never built into one answer.
 */
export const exportTarget = z.object({
  format: exportFormat,
  session_id: sessionId,
  activity_id: activityId.nullable(),
  filename: z.string(),
});
export type ExportTarget = z.infer<typeof exportTarget>;

/** One row of an export file: a flat record whose keys are its columns. */
export interface ExportRow {
  session_id: SessionId;
  activity_id: ActivityId;
  activity_type: string;
  activity_title: string;
  response_id: ResponseId;
  participant_nickname: string;
  created_at: string;
  updated_at: string;
  /** The answer as one line of text (the type's `answerText`, else JSON). */
  answer: string;
  moderation_status: ModerationStatusValue;
  vote_count: number;
}

/** The header row: every key of `ExportRow`, in the order the columns are written. */
export const exportColumns = [
  "session_id",
  "activity_id",
  "activity_type",
  "activity_title",
  "response_id",
  "participant_nickname",
  "created_at",
  "updated_at",
  "answer",
  "moderation_status",
  "vote_count",
] as const satisfies ReadonlyArray<keyof ExportRow>;

export const toExportRow = (r: ExportedResponse): ExportRow => ({
  session_id: r.sessionId,
  activity_id: r.activityId,
  activity_type: r.activityType,
  activity_title: r.activityTitle,
  response_id: r.responseId,
  participant_nickname: r.nickname,
  created_at: toIso(r.createdAt),
  updated_at: toIso(r.updatedAt),
  answer: r.answer,
  moderation_status: r.status,
  vote_count: r.voteCount,
});
