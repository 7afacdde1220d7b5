import { sql } from "drizzle-orm";
import {
  boolean,
  check,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  serial,
  smallint,
  text,
  timestamp,
  uniqueIndex,
  uuid,
  varchar,
  type AnyPgColumn,
} from "drizzle-orm/pg-core";

/** Sessions and activities share one lifecycle: draft -> active -> completed. */
export const lifecycleStatuses = ["draft", "active", "completed"] as const;
export type LifecycleStatus = (typeof lifecycleStatuses)[number];

/** `single`: one answer per participant, resubmitting replaces it; `multiple`: each submission is a new response. */
export const responseModes = ["single", "multiple"] as const;
export type ResponseModeValue = (typeof responseModes)[number];

/** Moderated activities' entries start `pending`; results count `approved` ones. */
export const moderationStatuses = ["approved", "pending", "rejected"] as const;
export type ModerationStatusValue = (typeof moderationStatuses)[number];

/** Lengths of the text columns; the wire schemas check against these, so a value that passes fits. */
export const textLimits = {
  title: 255,
  nickname: 50,
  activityType: 50,
  joinCode: 12,
  createdBy: 255,
} as const;

/** Ids: sessions and participants are `serial` (PostgreSQL int4), activities and responses UUIDs. */
export type SessionId = number;
export type ParticipantId = number;
export type ActivityId = string;
export type ResponseId = string;
export const maxSerialId = 2_147_483_647;

const oneOf = (column: AnyPgColumn, values: readonly string[]) =>
  sql`${column} in (${sql.raw(values.map((value) => `'${value}'`).join(", "))})`;
const lifecycleCheck = (column: AnyPgColumn) => oneOf(column, lifecycleStatuses);

/**
 * Millisecond precision so that a timestamp handed to a client as ISO-8601
 * compares exactly when the client sends it back (`responses/since/{ts}`).
 */
const ts = (name: string) => timestamp(name, { withTimezone: true, precision: 3, mode: "date" });

/**
 * PostgreSQL's 64-bit transaction id of the row's last write. Feed cursors of
 * kind 1 order by it and only read below the oldest running transaction, which
 * makes them gap-free under concurrent writers (see api/services/feed).
 * Carried as a decimal string: it exceeds 2^53 in theory.
 */
const xid8 = customType<{ data: string; driverData: string }>({
  dataType: () => "xid8",
});

/**
 * jsonb read back exactly as stored. Both drivers decode jsonb themselves;
 * drizzle's own `jsonb` then JSON.parses any string a second time, so the JSON
 * string answer "42" would come back as the number 42 (and "salad" as itself
 * only by luck). Answers may be any JSON value, strings included.
 */
const jsonbValue = customType<{ data: unknown; driverData: unknown }>({
  dataType: () => "jsonb",
  toDriver: (value) => JSON.stringify(value),
});

export const sessions = pgTable(
  "sessions",
  {
    id: serial("id").primaryKey(),
    title: varchar("title", { length: textLimits.title }).notNull(),
    description: text("description"),
    status: varchar("status", { length: 20 }).$type<LifecycleStatus>().notNull().default("draft"),
    joinCode: varchar("join_code", { length: textLimits.joinCode }).notNull(),
    maxParticipants: integer("max_participants").notNull().default(1000),
    // Participants present (not removed), as the status shows it; maintained by join and removal.
    participantCount: integer("participant_count").notNull().default(0),
    // Seats `max_participants` bounds: participants present, and those gone after answering (their
    // answers still count). Maintained in the joining and removing statements: how the cap holds exactly.
    seatsTaken: integer("seats_taken").notNull().default(0),
    // The owner closes the door: joins answer 409 JOINS_LOCKED; those inside stay.
    joinsLocked: boolean("joins_locked").notNull().default(false),
    // Moves in the statement that removes a participant: an instance that confirmed a seat under
    // this revision knows no seat of the session has ended since, without asking per participant.
    seatsRevision: integer("seats_revision").notNull().default(0),
    currentActivityId: uuid("current_activity_id").references((): AnyPgColumn => activities.id, {
      onDelete: "set null",
    }),
    createdBy: varchar("created_by", { length: textLimits.createdBy }).notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    // Moves on every change the session status shows (joins, transitions, current activity).
    updatedAt: ts("updated_at").notNull().defaultNow(),
    startedAt: ts("started_at"),
    completedAt: ts("completed_at"),
  },
  (t) => [
    uniqueIndex("sessions_join_code_key").on(t.joinCode),
    index("sessions_created_by_idx").on(t.createdBy, t.id),
    check("sessions_status_check", lifecycleCheck(t.status)),
    check("sessions_max_participants_check", sql`${t.maxParticipants} > 0`),
  ],
);

export const participants = pgTable(
  "participants",
  {
    id: serial("id").primaryKey(),
    sessionId: integer("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    // Shown as typed (normalised: NFKC, invisible characters removed); compared by the keys below.
    nickname: varchar("nickname", { length: textLimits.nickname }).notNull(),
    /**
     * The nickname's UTS #39 skeletons as shown, lower-cased and upper-cased (`nicknameKeys`):
     * look-alikes ignoring case share one. Written by join; computed for rows from before them
     * by `migrate()` (SQL cannot compute a skeleton), so null only for a row that joined before
     * them beside a look-alike that holds the key (it stays, the next look-alike is refused).
     */
    nicknameSkeleton: text("nickname_skeleton"),
    nicknameSkeletonLower: text("nickname_skeleton_lower"),
    nicknameSkeletonUpper: text("nickname_skeleton_upper"),
    joinedAt: ts("joined_at").notNull().defaultNow(),
    lastSeenAt: ts("last_seen_at").notNull().defaultNow(),
    /**
     * Carried in the participant's token (`tid`) and compared on every call: ids are
     * serial, so after a reset or restore an old token would otherwise name a new row.
     */
    tokenId: uuid("token_id").notNull().defaultRandom(),
    // Kicked or left: the token stops working and the nickname is free; answers stay.
    removedAt: ts("removed_at"),
    /**
     * Set by the participant's first response or vote, in that statement: from then on its seat stays
     * taken after it leaves or is kicked (`seats_taken`), since its answers still count. Submit, vote
     * and removal all write this row, so a removal racing a first answer is ordered by its row lock.
     */
    answered: boolean("answered").notNull().default(false),
  },
  (t) => [
    // "Bob", "bob" and "B\u043Eb" (Cyrillic o) are the same person on a projected screen.
    uniqueIndex("participants_session_skeleton_key")
      .on(t.sessionId, t.nicknameSkeleton)
      .where(sql`${t.removedAt} is null`),
    uniqueIndex("participants_session_skeleton_lower_key")
      .on(t.sessionId, t.nicknameSkeletonLower)
      .where(sql`${t.removedAt} is null`),
    uniqueIndex("participants_session_skeleton_upper_key")
      .on(t.sessionId, t.nicknameSkeletonUpper)
      .where(sql`${t.removedAt} is null`),
    index("participants_session_seen_idx").on(t.sessionId, t.lastSeenAt),
    // The seat check's one read per session when its seats_revision moves: who was removed.
    index("participants_session_removed_idx")
      .on(t.sessionId, t.id)
      .where(sql`${t.removedAt} is not null`),
  ],
);

export const activities = pgTable(
  "activities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: integer("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    type: varchar("type", { length: textLimits.activityType }).notNull(),
    // The spec's Activity has no title: optional, for the facilitator's own overview.
    title: varchar("title", { length: textLimits.title }),
    config: jsonb("config").$type<unknown>().notNull().default({}),
    // Owner-only config of unregistered types (registered types declare private fields of `config`).
    privateConfig: jsonb("private_config").$type<unknown>().notNull().default({}),
    // Registered types store their type's mode; unregistered ones choose (default single).
    responseMode: varchar("response_mode", { length: 10 }).$type<ResponseModeValue>().notNull().default("single"),
    // Multiple mode only: how many responses one participant may add.
    maxResponsesPerParticipant: integer("max_responses_per_participant"),
    // Reveal: participants see results only while true; owners always do.
    resultsVisible: boolean("results_visible").notNull().default(true),
    // Privacy threshold: results stay hidden from participants below this many responses.
    minResponsesToShow: integer("min_responses_to_show"),
    // Set at activation for types with a time limit (quiz): answers after it are refused.
    endsAt: ts("ends_at"),
    orderIndex: integer("order_index").notNull(),
    status: varchar("status", { length: 20 }).$type<LifecycleStatus>().notNull().default("draft"),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    startedAt: ts("started_at"),
    completedAt: ts("completed_at"),
  },
  (t) => [
    index("activities_session_order_idx").on(t.sessionId, t.orderIndex),
    check("activities_status_check", lifecycleCheck(t.status)),
    check("activities_response_mode_check", oneOf(t.responseMode, responseModes)),
    check("activities_max_responses_check", sql`${t.maxResponsesPerParticipant} is null or ${t.maxResponsesPerParticipant} > 0`),
    check("activities_min_responses_check", sql`${t.minResponsesToShow} is null or ${t.minResponsesToShow} >= 1`),
  ],
);

/**
 * Response counters striped over a few rows per activity: an exact count without
 * `count(*)` on each poll, and without every writer queueing on one row lock.
 */
export const activityResponseCounters = pgTable(
  "activity_response_counters",
  {
    activityId: uuid("activity_id")
      .notNull()
      .references(() => activities.id, { onDelete: "cascade" }),
    shard: smallint("shard").notNull(),
    responseCount: integer("response_count").notNull().default(0),
    lastResponseAt: ts("last_response_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.activityId, t.shard] })],
);

export const userResponses = pgTable(
  "user_responses",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    sessionId: integer("session_id")
      .notNull()
      .references(() => sessions.id, { onDelete: "cascade" }),
    activityId: uuid("activity_id")
      .notNull()
      .references(() => activities.id, { onDelete: "cascade" }),
    participantId: integer("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    responseData: jsonbValue("response_data").notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
    updatedAt: ts("updated_at").notNull().defaultNow(),
    txid: xid8("txid")
      .notNull()
      .default(sql`pg_current_xact_id()`),
    // When the server received the request that wrote this answer (microseconds): a
    // request that reaches the database late never replaces an answer received after it.
    receivedAt: timestamp("received_at", { withTimezone: true, precision: 6, mode: "date" }).notNull().defaultNow(),
    // The activity's mode when this row was written: single-mode rows are unique per participant.
    singleAnswer: boolean("single_answer").notNull().default(true),
    status: varchar("status", { length: 10 }).$type<ModerationStatusValue>().notNull().default("approved"),
    // Approved now or at some time before: other participants may have seen it, so when it leaves
    // their view they are sent a tombstone. An entry never approved leaves them no trace.
    everApproved: boolean("ever_approved").notNull().default(false),
    // Q&A upvotes, maintained in the voting statement (response_votes holds who voted).
    voteCount: integer("vote_count").notNull().default(0),
    // Deleted by the owner: the row stays (data cleared) so the feed can tell followers the id is gone.
    deletedAt: ts("deleted_at"),
  },
  (t) => [
    // Single mode: one answer per participant and activity; submitting again replaces it.
    uniqueIndex("user_responses_activity_participant_key")
      .on(t.activityId, t.participantId)
      .where(sql`${t.singleAnswer}`),
    // Multiple mode: the per-participant cap counts these. Partial, so a single-mode write (a replaced
    // poll answer, updated_at and txid changed: never a HOT update) maintains one index fewer.
    index("user_responses_activity_participant_multiple_idx")
      .on(t.activityId, t.participantId)
      .where(sql`not ${t.singleAnswer}`),
    check("user_responses_status_check", oneOf(t.status, moderationStatuses)),
    index("user_responses_feed_idx").on(t.activityId, t.txid, t.id),
    index("user_responses_activity_updated_idx").on(t.activityId, t.updatedAt),
    // Exports read an activity's responses in pages by keyset on (created_at, id).
    index("user_responses_activity_created_idx").on(t.activityId, t.createdAt, t.id),
    index("user_responses_participant_idx").on(t.participantId),
  ],
);

/** One row per (response, voter): voting twice is a no-op, and vote_count moves only when a row does. */
export const responseVotes = pgTable(
  "response_votes",
  {
    responseId: uuid("response_id")
      .notNull()
      .references(() => userResponses.id, { onDelete: "cascade" }),
    participantId: integer("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.responseId, t.participantId] }), index("response_votes_participant_idx").on(t.participantId)],
);

/**
 * `Idempotency-Key` of submissions: a retry with the same key gets the first answer back.
 * Kept at least 24 h (swept after); the request hash tells a retry from a reuse with another body.
 */
export const idempotencyKeys = pgTable(
  "idempotency_keys",
  {
    participantId: integer("participant_id")
      .notNull()
      .references(() => participants.id, { onDelete: "cascade" }),
    key: varchar("key", { length: 255 }).notNull(),
    requestHash: varchar("request_hash", { length: 64 }).notNull(),
    statusCode: smallint("status_code").notNull(),
    response: jsonb("response").$type<unknown>().notNull(),
    createdAt: ts("created_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.participantId, t.key] }), index("idempotency_keys_created_idx").on(t.createdAt)],
);

/**
 * One-time sign-in links (apps/server/src/sign-in-codes.ts). A code is a random selector and a
 * random secret; only the selector and the SHA-256 of the secret are kept, and using a code
 * deletes its row, so one statement decides which of several requests (any worker, any
 * instance) gets it.
 */
export const signInCodes = pgTable("sign_in_codes", {
  selector: varchar("selector", { length: 32 }).primaryKey(),
  secretHash: varchar("secret_hash", { length: 64 }).notNull(),
  expiresAt: ts("expires_at").notNull(),
  createdAt: ts("created_at").notNull().defaultNow(),
});

export type SessionRow = typeof sessions.$inferSelect;
export type ParticipantRow = typeof participants.$inferSelect;
export type ActivityRow = typeof activities.$inferSelect;
export type UserResponseRow = typeof userResponses.$inferSelect;
