import {
  activities,
  and,
  asc,
  eq,
  isNull,
  participants,
  sql,
  userResponses,
  type ModerationStatusValue,
  type ActivityId,
  type ResponseId,
  type Database,
  type SessionId,
} from "@caja/db";
import type { ServiceDeps } from "./deps";

/** One exported response with its activity; `toExportRow` (schemas/export.ts) makes it a CSV record. */
export interface ExportedResponse {
  sessionId: SessionId;
  activityId: ActivityId;
  activityType: string;
  activityTitle: string;
  responseId: ResponseId;
  nickname: string;
  createdAt: Date;
  updatedAt: Date;
  /** The answer as one line of text (the type's `answerText`, else JSON). */
  answer: string;
  status: ModerationStatusValue;
  voteCount: number;
}

export interface ExportScope {
  sessionId: SessionId;
  /** One activity's responses; the whole session's when null. */
  activityId: ActivityId | null;
}

export interface ExportOptions {
  /** Rows per query (default 1000): memory stays bounded by one page whatever the export's size. */
  pageSize?: number;
  /**
   * Runs each page's query. An export outlives the request deadline its first query
   * ran under, so the server bounds each page by a deadline of its own here.
   */
  runQuery?: <T>(query: (db: Database) => Promise<T>) => Promise<T>;
}

interface Cursor {
  createdAt: Date;
  id: string;
}

interface StoredAnswer extends Cursor {
  updatedAt: Date;
  data: unknown;
  status: ModerationStatusValue;
  voteCount: number;
  nickname: string;
}

/**
 * The responses of a session or of one activity, oldest first per activity
 * (activities in their session order), deleted ones left out. Read in pages by
 * keyset on (created_at, id), which the index user_responses_activity_created_idx
 * serves: every page is one short index range whatever the export's size, and
 * works the same on PostgreSQL and PGlite (no server-side cursor needed). A row
 * written while the export runs appears if it sorts after the current page.
 */
export async function* exportResponses(
  deps: ServiceDeps,
  scope: ExportScope,
  options: ExportOptions = {},
): AsyncGenerator<ExportedResponse> {
  const pageSize = options.pageSize ?? 1000;
  const run = options.runQuery ?? (<T>(query: (db: Database) => Promise<T>) => query(deps.db));
  const { activityTypes } = deps;
  const list = await run((db) =>
    db
      .select({ id: activities.id, type: activities.type, title: activities.title })
      .from(activities)
      .where(
        and(
          eq(activities.sessionId, scope.sessionId),
          scope.activityId === null ? undefined : eq(activities.id, scope.activityId),
        ),
      )
      .orderBy(asc(activities.orderIndex), asc(activities.createdAt), asc(activities.id)),
  );

  for (const activity of list) {
    let after: Cursor | null = null;
    for (;;) {
      const cursor: Cursor | null = after;
      const page: StoredAnswer[] = await run((db) => responsePage(db, activity.id, cursor, pageSize));
      for (const r of page) {
        yield {
          sessionId: scope.sessionId,
          activityId: activity.id,
          activityType: activity.type,
          activityTitle: activity.title ?? "",
          responseId: r.id,
          nickname: r.nickname,
          createdAt: r.createdAt,
          updatedAt: r.updatedAt,
          answer: activityTypes.answerText(activity.type, r.data),
          status: r.status,
          voteCount: r.voteCount,
        };
      }
      const last = page.at(-1);
      if (page.length < pageSize || !last) break;
      after = { createdAt: last.createdAt, id: last.id };
    }
  }
}

/** One page of an activity's live responses after `cursor`, in (created_at, id) order. */
function responsePage(db: Database, activityId: ActivityId, cursor: Cursor | null, limit: number): Promise<StoredAnswer[]> {
  return db
    .select({
      id: userResponses.id,
      createdAt: userResponses.createdAt,
      updatedAt: userResponses.updatedAt,
      data: userResponses.responseData,
      status: userResponses.status,
      voteCount: userResponses.voteCount,
      nickname: participants.nickname,
    })
    .from(userResponses)
    .innerJoin(participants, eq(participants.id, userResponses.participantId))
    .where(
      and(
        eq(userResponses.activityId, activityId),
        isNull(userResponses.deletedAt),
        // Timestamps are stored to the millisecond, so the cursor's Date round-trips exactly.
        cursor === null
          ? undefined
          : sql`(${userResponses.createdAt}, ${userResponses.id}) > (${cursor.createdAt.toISOString()}::timestamptz, ${cursor.id}::uuid)`,
      ),
    )
    .orderBy(asc(userResponses.createdAt), asc(userResponses.id))
    .limit(limit);
}

/** The file name an export is offered under: ASCII only, so Content-Disposition needs no encoding. */
export function exportFilename(scope: ExportScope, format: string): string {
  const what = scope.activityId === null ? "responses" : `activity-${scope.activityId}-responses`;
  return `caja-session-${scope.sessionId}-${what}.${format}`;
}
