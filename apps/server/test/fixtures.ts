import { expect } from "vitest";
import { TokenService, schemas } from "@caja/api";
import type { TestServer } from "./harness";

/** ISO-8601 UTC with milliseconds, the only timestamp form on the wire. */
export const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
export const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
export const MISSING_ID = "00000000-0000-4000-8000-000000000000";

/** The REST collection of an activity's responses. */
export const responsesPath = (sessionId: number, activityId: string) =>
  `/api/v1/sessions/${sessionId}/activities/${activityId}/responses`;

/** The wire shapes, written out here rather than read from the product's schemas. */
export const keys = {
  session: [
    "id",
    "title",
    "description",
    "status",
    "join_code",
    "max_participants",
    "participant_count",
    "joins_locked",
    "current_activity_id",
    "created_by",
    "created_at",
    "updated_at",
    "started_at",
    "completed_at",
  ],
  activity: [
    "id",
    "session_id",
    "type",
    "title",
    "config",
    "order_index",
    "status",
    "created_at",
    "updated_at",
    "started_at",
    "completed_at",
    "response_mode",
    "max_responses_per_participant",
    "results_visible",
    "min_responses_to_show",
    "ends_at",
    "private_config",
  ],
  participant: ["id", "session_id", "nickname", "joined_at", "last_seen_at"],
  response: [
    "id",
    "session_id",
    "activity_id",
    "participant_id",
    "response_data",
    "created_at",
    "updated_at",
    "status",
    "vote_count",
  ],
  join: ["participant", "token", "expires_at", "session"],
  page: ["items", "total", "limit", "offset", "has_next", "has_prev"],
} as const;

const timestampFields = [
  "created_at",
  "updated_at",
  "started_at",
  "completed_at",
  "ends_at",
  "joined_at",
  "last_seen_at",
  "expires_at",
];

export interface HttpResult {
  status: number;
  headers: Headers;
  text: string;
  body: unknown;
}

export interface RequestOptions {
  token?: string;
  /** Sent as JSON. */
  json?: unknown;
  /** Sent as is, with the given headers. */
  raw?: string;
  headers?: Record<string, string>;
}

export type Session = schemas.Session;
export type Activity = schemas.Activity;
export type Participant = schemas.Participant;
export type UserResponse = schemas.UserResponse;
export type JoinResult = {
  participant: Participant;
  token: string;
  expires_at: string;
  session: { id: number; title: string; status: string };
};
export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
  has_next: boolean;
  has_prev: boolean;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Exactly these keys, and every timestamp among them in the ISO_MS form (or null where allowed). */
export function expectShape(value: unknown, expected: readonly string[]): Record<string, unknown> {
  if (!isObject(value)) throw new Error(`expected an object, got ${JSON.stringify(value)}`);
  expect(Object.keys(value).sort()).toEqual([...expected].sort());
  for (const field of timestampFields) {
    if (!(field in value)) continue;
    const v = value[field];
    if (v !== null) expect(v, field).toMatch(ISO_MS);
  }
  return value;
}

export const asSession = (v: unknown): Session => schemas.session.parse(expectShape(v, keys.session));
/** A session as its participants get it: without `created_by`, the owner's identity. */
export const asParticipantSession = (v: unknown): Session =>
  schemas.session.parse(
    expectShape(
      v,
      keys.session.filter((k) => k !== "created_by"),
    ),
  );
/** Participants get no `private_config` before the activity completes; owners always do. */
export const asActivity = (v: unknown): Activity =>
  schemas.activity.parse(
    expectShape(v, isObject(v) && !("private_config" in v) ? keys.activity.filter((k) => k !== "private_config") : keys.activity),
  );
export const asParticipant = (v: unknown): Participant => schemas.participant.parse(expectShape(v, keys.participant));
/** A participant as the owner's list shows it: the participant and whether it is online. */
export const asListedParticipant = (v: unknown) =>
  schemas.participantWithPresence.parse(expectShape(v, [...keys.participant, "online"]));
export const asResponse = (v: unknown): UserResponse => schemas.userResponse.parse(expectShape(v, keys.response));

export function asJoin(v: unknown): JoinResult {
  const body = expectShape(v, keys.join);
  expectShape(body.session, ["id", "title", "status"]);
  return schemas.joinSessionOutput.parse({ ...body, participant: asParticipant(body.participant) });
}

/** The spec's pagination envelope, exactly, with each item checked by `item`. */
export function asPage<T>(v: unknown, item: (x: unknown) => T): Page<T> {
  const body = expectShape(v, keys.page);
  if (!Array.isArray(body.items)) throw new Error("items is not an array");
  for (const k of ["total", "limit", "offset"] as const) expect(Number.isInteger(body[k]), k).toBe(true);
  for (const k of ["has_next", "has_prev"] as const) expect(typeof body[k], k).toBe("boolean");
  return {
    items: body.items.map(item),
    total: Number(body.total),
    limit: Number(body.limit),
    offset: Number(body.offset),
    has_next: body.has_next === true,
    has_prev: body.has_prev === true,
  };
}

export interface WireErrorBody {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

/** `{ "error": { "code", "message", "details" } }` and nothing else; JSON; no stack or source paths. */
export function expectError(res: HttpResult, status: number, code: string): WireErrorBody {
  expect({ status: res.status, body: res.body }).toMatchObject({ status, body: { error: { code } } });
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  expectNoStack(res.text);
  if (!isObject(res.body) || !isObject(res.body.error)) throw new Error(`not an error body: ${res.text}`);
  expect(Object.keys(res.body)).toEqual(["error"]);
  expect(Object.keys(res.body.error).sort()).toEqual(["code", "details", "message"]);
  const { message, details } = res.body.error;
  expect(typeof message).toBe("string");
  expect(String(message).length).toBeGreaterThan(0);
  if (!isObject(details)) throw new Error(`details is not an object: ${res.text}`);
  return { code, message: String(message), details };
}

export function expectValidationError(res: HttpResult, field: string): WireErrorBody {
  const error = expectError(res, 400, "VALIDATION_ERROR");
  expect(error.details.field).toBe(field);
  expect(typeof error.details.reason).toBe("string");
  return error;
}

export function expectNoStack(text: string): void {
  expect(text).not.toMatch(/stack|\n\s+at |node_modules|\.ts:\d+|\.js:\d+/i);
}

/** Tokens the server must refuse with 401. */
export function invalidTokens(server: TestServer): Record<string, string> {
  const foreign = new TokenService({ secret: "another-deployment-secret-0123456789abcdef" });
  return {
    garbage: "garbage",
    "three garbage parts": "abc.def.ghi",
    "expired beyond tolerance": server.deps.tokens.sign({ sub: "alice", role: "admin" }, -120).token,
    "wrong secret": foreign.sign({ sub: "alice", role: "admin" }, 3600).token,
  };
}

/** Fixtures built through the public REST API of a running server. */
export class Api {
  constructor(readonly server: TestServer) {}

  admin(sub = "alice"): string {
    return this.server.adminToken(sub);
  }

  async request(method: string, path: string, options: RequestOptions = {}): Promise<HttpResult> {
    const headers: Record<string, string> = { ...options.headers };
    if (options.token) headers.authorization = `Bearer ${options.token}`;
    let body: string | undefined = options.raw;
    if (options.json !== undefined) {
      headers["content-type"] ??= "application/json";
      body = JSON.stringify(options.json);
    }
    const res = await fetch(this.server.url + path, { method, headers, body });
    const text = await res.text();
    let parsed: unknown = undefined;
    if (text && (res.headers.get("content-type") ?? "").includes("json")) parsed = JSON.parse(text);
    return { status: res.status, headers: res.headers, text, body: parsed };
  }

  async ok(method: string, path: string, status: number, options: RequestOptions = {}): Promise<unknown> {
    const res = await this.request(method, path, options);
    if (res.status !== status) throw new Error(`${method} ${path}: expected ${status}, got ${res.status} ${res.text}`);
    return res.body;
  }

  async session(token: string, input: Record<string, unknown> = {}): Promise<Session> {
    return asSession(await this.ok("POST", "/api/v1/sessions", 201, { token, json: { title: "Town hall", ...input } }));
  }

  async setSessionStatus(token: string, sessionId: number, status: string): Promise<Session> {
    return asSession(await this.ok("PATCH", `/api/v1/sessions/${sessionId}/status`, 200, { token, json: { status } }));
  }

  async activeSession(token: string, input: Record<string, unknown> = {}): Promise<Session> {
    const session = await this.session(token, input);
    return this.setSessionStatus(token, session.id, "active");
  }

  async activity(token: string, sessionId: number, input: Record<string, unknown> = {}): Promise<Activity> {
    return asActivity(
      await this.ok("POST", `/api/v1/sessions/${sessionId}/activities`, 201, {
        token,
        json: { type: "custom", title: "Lunch?", config: { options: ["pizza", "salad"] }, ...input },
      }),
    );
  }

  async setActivityStatus(token: string, activityId: string, status: string): Promise<Activity> {
    return asActivity(await this.ok("PATCH", `/api/v1/activities/${activityId}/status`, 200, { token, json: { status } }));
  }

  async join(joinCode: string, nickname: string): Promise<JoinResult> {
    return asJoin(await this.ok("POST", "/api/v1/sessions/join", 201, { json: { join_code: joinCode, nickname } }));
  }

  /** An active session owned by `owner` with one active activity and one participant. */
  async live(owner = "alice", nickname = "Bob") {
    const token = this.admin(owner);
    const session = await this.activeSession(token);
    const activity = await this.setActivityStatus(token, (await this.activity(token, session.id)).id, "active");
    const joined = await this.join(session.join_code, nickname);
    return { token, session, activity, participant: joined.participant, participantToken: joined.token };
  }

  async submit(token: string, sessionId: number, activityId: string, data: unknown): Promise<UserResponse> {
    return asResponse(
      await this.ok("POST", `/api/v1/sessions/${sessionId}/activities/${activityId}/responses`, 201, {
        token,
        json: { response_data: data },
      }),
    );
  }
}
