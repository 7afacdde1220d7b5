import type { TRPCRouterRecord } from "@trpc/server";
import { scopedActivity, scopedSession } from "../access/policy";
import { activityExportInput, exportColumns, exportTarget, sessionExportInput, type ExportTarget } from "../schemas/export";
import { exportFilename, type ExportScope } from "../services/export";
import { procedure } from "../trpc";

const tags = ["Export"];

const description =
  `CSV (UTF-8 with a byte order mark, CRLF line ends, a header row) with one row per response: ` +
  `${exportColumns.map((c) => `\`${c}\``).join(", ")}. \`answer\` is the response as one line of text ` +
  "(an unregistered type's JSON); deleted responses are left out. Cells that a spreadsheet would run as a " +
  "formula (starting with `=`, `+`, `-`, `@`, tab or CR) are prefixed with `'`. Streamed: any size, in bounded memory.";

const target = (scope: ExportScope, format: ExportTarget["format"]): ExportTarget => ({
  format,
  session_id: scope.sessionId,
  activity_id: scope.activityId,
  filename: exportFilename(scope, format),
});

/**
 * Exports: the procedures authorise the owner and name what to stream; the rows
 * come from `exportResponses` (services/export.ts), streamed by the server in the
 * format `meta.produces` declares. Over REST the answer is the file itself.
 */
export const exportRouter = {
  session: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/export",
        tags,
        summary: "Export every response of the session as CSV (one row per response)",
        description,
      },
      produces: "text/csv",
    })
    .input(sessionExportInput)
    .output(exportTarget)
    .query(({ ctx, input }) => target({ sessionId: scopedSession(ctx).id, activityId: null }, input.format)),

  activity: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/activities/{activity_id}/results/export",
        tags,
        summary: "Export an activity's responses as CSV (one row per response)",
        description,
      },
      produces: "text/csv",
    })
    .input(activityExportInput)
    .output(exportTarget)
    .query(({ ctx, input }) => {
      const activity = scopedActivity(ctx);
      return target({ sessionId: activity.sessionId, activityId: activity.id }, input.format);
    }),
} satisfies TRPCRouterRecord;
