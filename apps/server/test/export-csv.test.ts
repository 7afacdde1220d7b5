import { Readable } from "node:stream";
import { buffer } from "node:stream/consumers";
import { parse } from "csv-parse/sync";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { exportColumns, type ExportRow } from "@caja/api";
import { csvStringifier } from "../src/http/export";

/**
 * The export's CSV writer (http/export.ts) on its own, over random text: what a spreadsheet
 * reads back must be the rows written, cell for cell, with every formula defused.
 */

/**
 * How a spreadsheet reads the file: every CR, LF or CRLF outside quotes ends a record (not only
 * the first kind met, csv-parse's default), and a short record is kept rather than refused.
 */
const asSpreadsheetReadsIt = (bytes: Buffer): string[][] =>
  parse(bytes, { bom: true, record_delimiter: ["\r\n", "\n", "\r"], relax_column_count: true });

/** What a cell must read back as: behind a `'` when it looks like a formula (csv-stringify also defuses the full-width signs). */
const neutralised = (text: string) => (/^[=+\-@\t\r\uFF1D\uFF0B\uFF0D\uFF20]/.test(text) ? `'${text}` : text);
const formula = /^[=+\-@\t\r]/;

/** Text made mostly of what breaks CSV and spreadsheets, mixed with any other Unicode. */
const awkward = fc.constantFrom(
  "=",
  "+",
  "-",
  "@",
  "\t",
  "\r",
  "\n",
  "\r\n",
  '"',
  ",",
  ";",
  "'",
  " ",
  "\uFF1D",
  "\u2028",
  "\uFEFF",
  "cmd|' /C calc'!A0",
  "HYPERLINK(",
);
const text = fc.string({
  unit: fc.oneof(
    { weight: 3, arbitrary: awkward },
    { weight: 1, arbitrary: fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }) },
  ),
  maxLength: 12,
});

const row = fc
  .record({ response_id: fc.uuid(), activity_type: text, activity_title: text, participant_nickname: text, answer: text })
  .map((free): ExportRow => ({
    session_id: 1,
    activity_id: "7d8f3c52-4f0e-4d0f-9a59-2f1a1c3e0b11",
    created_at: "2026-01-01T00:00:00.000Z",
    updated_at: "2026-01-01T00:00:00.000Z",
    moderation_status: "approved",
    vote_count: 3,
    ...free,
  }));

async function exportOf(rows: ExportRow[]): Promise<Buffer> {
  return buffer(Readable.from(rows).pipe(csvStringifier()));
}

describe("csvStringifier", () => {
  it("a line break followed by a formula stays inside its quoted cell", async () => {
    const answer = "great talk\n=cmd|' /C calc'!A0";
    const records = asSpreadsheetReadsIt(await exportOf(fc.sample(row, { numRuns: 1, seed: 1 }).map((r) => ({ ...r, answer }))));
    expect(records.flat().filter((cell) => formula.test(cell))).toEqual([]);
    expect(records).toHaveLength(2);
    expect(records[1]?.[exportColumns.indexOf("answer")]).toBe(answer);
  });

  it("random rows: read back as written (formulas defused), one record per row, every record full width", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 8 }), async (rows) => {
        const records = asSpreadsheetReadsIt(await exportOf(rows));
        expect(records.flat().filter((cell) => formula.test(cell))).toEqual([]);
        expect(records).toEqual([
          [...exportColumns],
          ...rows.map((r) => exportColumns.map((column) => neutralised(String(r[column])))),
        ]);
      }),
      { numRuns: 500 },
    );
  });
});
