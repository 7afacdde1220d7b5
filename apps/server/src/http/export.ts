import { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import { stringify, type Stringifier } from "csv-stringify";
import { exportColumns, exportResponses, schemas, toExportRow, type ApiDeps, type ExportRow } from "@caja/api";
import type { Producer } from "@caja/openapi";

/**
 * The CSV answer of the export routes (`meta.produces: "text/csv"`): their procedure
 * has authorised the owner and named the target; this streams its rows, a page of
 * the database at a time, through `csvStringifier` with backpressure from the socket.
 *
 * An export outlives the request's deadline, so each page's query gets a deadline of
 * its own (`pageTimeoutMs` from when it is asked for). A database failure before the
 * first row answers in the error format; after it, the connection is cut so the file
 * is visibly incomplete rather than silently short.
 */
export function csvExport(deps: ApiDeps, pageTimeoutMs: number): Producer {
  const dbWithDeadline = (deadline: number) => deps.dbWithDeadline?.(deadline) ?? deps.db;
  return async (output, _ctx, _req, res) => {
    const target = schemas.exportTarget.parse(output);
    const rows = exportResponses(
      deps,
      { sessionId: target.session_id, activityId: target.activity_id },
      { runQuery: (query) => query(dbWithDeadline(Date.now() + pageTimeoutMs)) },
    );
    const first = await rows.next();
    res.writeHead(200, {
      "content-type": "text/csv; charset=utf-8",
      "content-disposition": `attachment; filename="${target.filename}"`,
      "cache-control": "no-store",
    });
    async function* all(): AsyncGenerator<ExportRow> {
      if (first.done) return;
      yield toExportRow(first.value);
      for await (const row of rows) yield toExportRow(row);
    }
    try {
      await pipeline(Readable.from(all()), csvStringifier(), res);
    } catch (error) {
      // The client went away: the pipeline has stopped reading pages; nothing to answer.
      if (res.destroyed && !res.writableFinished && isPrematureClose(error)) return;
      throw error;
    }
  };
}

const isPrematureClose = (error: unknown): boolean =>
  typeof error === "object" && error !== null && "code" in error && error.code === "ERR_STREAM_PREMATURE_CLOSE";

/**
 * The writer of every export file: a header row, then one record per `ExportRow`.
 *
 * - `escape_formulas`: a cell starting with `=`, `+`, `-`, `@`, tab or CR gets a
 *   leading `'`, so an answer like `=HYPERLINK(...)` is shown, not run, by a spreadsheet.
 * - A UTF-8 byte order mark, so that Excel reads non-ASCII nicknames and answers as UTF-8.
 * - CRLF between records (RFC 4180), and `quote_record_delimiter`: a cell holding any CR
 *   or LF is quoted. A spreadsheet ends a row at each of them, and csv-stringify quotes
 *   only the chosen delimiter (CRLF) once one is set, so `great talk\n=cmd|...` would
 *   otherwise become a row of its own whose first cell is a formula.
 */
export function csvStringifier(): Stringifier {
  return stringify({
    header: true,
    columns: [...exportColumns],
    escape_formulas: true,
    bom: true,
    record_delimiter: "windows",
    quote_record_delimiter: true,
  });
}
