import type { z } from "zod";

export type IssuePath = readonly (string | number)[];

/** A problem with a response, relative to `response_data` (what `checkResponse` returns). */
export interface ResponseIssue {
  path: IssuePath;
  reason: string;
}

/** A problem as the spec reports it: `{ field: "config.question", reason: "Required field missing" }`. */
export interface FieldIssue {
  field: string;
  reason: string;
}

export type Validation<T> = { ok: true; value: T } | { ok: false; issues: FieldIssue[] };

export const configRoot = "config";
export const responseRoot = "response_data";

export const joinPath = (root: string, path: IssuePath): string => (path.length === 0 ? root : `${root}.${path.join(".")}`);

/**
 * Parses; on failure parses again with the input reported in each issue, so that
 * `fromZodIssues` can tell a missing field from a wrong one. Only the failing path pays:
 * zod's fast path is off whenever parse options are given (about 5x slower).
 */
export function parseReporting<T extends z.ZodType>(schema: T, data: unknown) {
  const first = schema.safeParse(data);
  return first.success ? first : schema.safeParse(data, { reportInput: true });
}

/**
 * A missing key reads "Required field missing" whatever message the schema gives for a
 * wrong type (the issue carries its input because of `parseReporting`); otherwise the
 * schema's own message.
 */
const reasonFor = (issue: z.core.$ZodIssue): string =>
  issue.code === "invalid_type" && "input" in issue && issue.input === undefined ? "Required field missing" : issue.message;

export function fromZodIssues(root: string, issues: readonly z.core.$ZodIssue[]): FieldIssue[] {
  return issues.flatMap((issue) =>
    issue.code === "unrecognized_keys"
      ? issue.keys.map((key) => ({ field: joinPath(root, [...issue.path.map(pathKey), key]), reason: "Unknown field" }))
      : [{ field: joinPath(root, issue.path.map(pathKey)), reason: reasonFor(issue) }],
  );
}

const pathKey = (key: PropertyKey): string | number => (typeof key === "symbol" ? String(key) : key);

/**
 * `details` of a VALIDATION_ERROR, in the same form the API uses for any other invalid
 * input: the first issue's field and reason, and every issue when there are several.
 */
export function validationDetails(issues: readonly FieldIssue[]): { field: string; reason: string; issues?: FieldIssue[] } {
  const first = issues[0] ?? { field: "body", reason: "Invalid input" };
  return issues.length > 1 ? { field: first.field, reason: first.reason, issues: [...issues] } : { ...first };
}

export const invalidConfigMessage = "Invalid activity configuration";
export const invalidResponseMessage = "Invalid response";
