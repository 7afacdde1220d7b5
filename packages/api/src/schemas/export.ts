import { z } from "zod";
import { activityId, sessionId } from "./common";

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
