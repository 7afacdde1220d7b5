import { createHash } from "node:crypto";
import { queryRows, sql, type Database, type ParticipantId } from "@caja/db";
import { CajaError, validationError } from "../errors";
import type { HeaderReader } from "../context";
import type { ServiceDeps } from "./deps";

/** Keys are kept at least this long; lookups ignore older rows and the sweeper deletes them. */
export const IDEMPOTENCY_KEY_TTL_HOURS = 24;
const ttl = sql.raw(`interval '${IDEMPOTENCY_KEY_TTL_HOURS} hours'`);

export const IDEMPOTENCY_HEADER = "Idempotency-Key";
/** 1 to 255 visible ASCII characters (no spaces), as most APIs that take the header allow. */
export const idempotencyKeyPattern = /^[\x21-\x7e]{1,255}$/;

/** The request's `Idempotency-Key`, checked; undefined when it sent none. */
export function idempotencyKeyOf(headers: HeaderReader): string | undefined {
  const key = headers.get(IDEMPOTENCY_HEADER);
  if (key === null) return undefined;
  if (!idempotencyKeyPattern.test(key)) {
    throw validationError(IDEMPOTENCY_HEADER, "must be 1 to 255 visible ASCII characters");
  }
  return key;
}

/** JSON with object keys sorted at every level: the same body always hashes the same. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}

export const requestHash = (body: unknown): string => createHash("sha256").update(canonicalJson(body)).digest("hex");

export interface IdempotentRequest {
  participantId: ParticipantId;
  key: string;
  /** What identifies the request beyond the key (route and body): the same key with another one is refused. */
  body: unknown;
}

export interface IdempotentResult<T> {
  body: T;
  statusCode: number;
  /** True when this is the stored answer of an earlier request with the key. */
  replayed: boolean;
}

/**
 * Runs `work` at most once per (participant, key). The key row is inserted first, in the
 * same transaction as the work: a concurrent request with the same key waits on that row
 * (the unique index) until the first commits, then finds it and answers the stored result;
 * if the first fails, its row is rolled back with its work and the next request runs. So
 * only successful answers are remembered, and a failed request can be retried with its key.
 */
export async function idempotent<T>(
  deps: ServiceDeps,
  req: IdempotentRequest,
  statusCode: number,
  work: (deps: ServiceDeps) => Promise<T>,
): Promise<IdempotentResult<T>> {
  const hash = requestHash(req.body);
  return deps.db.transaction(async (tx) => {
    // An expired row (older than the TTL, not yet swept) is taken over as if absent.
    const [claimed] = await queryRows<{ claimed: boolean }>(
      tx,
      sql`insert into idempotency_keys (participant_id, key, request_hash, status_code, response)
          values (${req.participantId}, ${req.key}, ${hash}, 0, 'null'::jsonb)
          on conflict (participant_id, key) do update
            set request_hash = excluded.request_hash, status_code = 0, response = 'null'::jsonb, created_at = now()
            where idempotency_keys.created_at < now() - ${ttl}
          returning true as claimed`,
      // Fixed texts (values as parameters): prepared once per connection, one round trip each.
      { prepared: true },
    );
    if (!claimed) return replay<T>(tx, req, hash);
    const body = await work({ cache: deps.cache, activityTypes: deps.activityTypes, db: tx, inTransaction: true });
    await queryRows(
      tx,
      sql`update idempotency_keys set status_code = ${statusCode}, response = ${JSON.stringify(body ?? null)}::jsonb
           where participant_id = ${req.participantId} and key = ${req.key}`,
      { prepared: true },
    );
    return { body, statusCode, replayed: false };
  });
}

async function replay<T>(db: Database, req: IdempotentRequest, hash: string): Promise<IdempotentResult<T>> {
  const [prior] = await queryRows<{ request_hash: string; status_code: number; response: T }>(
    db,
    sql`select request_hash, status_code, response from idempotency_keys
         where participant_id = ${req.participantId} and key = ${req.key}`,
  );
  // Committed before our insert gave up waiting on it: present unless swept in between.
  if (!prior) throw new CajaError("IDEMPOTENCY_KEY_IN_USE", "A request with this Idempotency-Key is being processed; retry", {});
  if (prior.request_hash !== hash) {
    throw new CajaError("IDEMPOTENCY_KEY_REUSED", "This Idempotency-Key was used with a different request", {
      field: IDEMPOTENCY_HEADER,
    });
  }
  return { body: prior.response, statusCode: Number(prior.status_code), replayed: true };
}

/** Deletes keys past the TTL. Returns how many. */
export async function sweepIdempotencyKeys(db: Database): Promise<number> {
  const rows = await queryRows<{ n: number | string }>(
    db,
    sql`with gone as (delete from idempotency_keys where created_at < now() - ${ttl} returning 1) select count(*) as n from gone`,
  );
  return Number(rows[0]?.n ?? 0);
}

/**
 * Sweeps expired keys on a timer (unref'd: it never keeps the process alive). The server
 * starts one; a sweep that fails (database down) is simply tried again next time.
 */
export class IdempotencySweeper {
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Database,
    intervalMs = 15 * 60_000,
  ) {
    this.timer = setInterval(() => void this.sweep(), intervalMs);
    this.timer.unref();
  }

  async sweep(): Promise<number> {
    try {
      return await sweepIdempotencyKeys(this.db);
    } catch {
      // Expired keys are already ignored by lookups; the next sweep deletes them.
      return 0;
    }
  }

  close(): void {
    clearInterval(this.timer);
  }
}
