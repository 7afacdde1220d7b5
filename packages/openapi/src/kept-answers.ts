import type { IncomingMessage, ServerResponse } from "node:http";
import { answerOf, matchesIfNoneMatch, sendNotModified, sendRevalidated } from "./etag";

/** A poll answer as sent: its ETag and, unless it was too large to keep, its body. */
export interface KeptAnswer {
  readonly etag: string;
  readonly body: Buffer | undefined;
}

export interface KeptAnswersOptions {
  /** The most bytes kept, bodies and keys together; the oldest answers are dropped first. */
  maxBytes?: number;
  /** Larger bodies are not kept, only their ETag (which still answers a 304). */
  maxBodyBytes?: number;
  /** A request's states are its versions over time and a few views (owner, participant): the oldest go. */
  maxStatesPerRequest?: number;
}

/** What an entry costs beyond its strings: the two map slots, the set slot and the object. */
const ENTRY_OVERHEAD_BYTES = 160;

class Entry implements KeptAnswer {
  constructor(
    readonly request: string,
    readonly state: string,
    readonly etag: string,
    readonly body: Buffer | undefined,
    readonly bytes: number,
  ) {}
}

/**
 * The poll answers an adapter sent, by request (its URL: path and input) and the
 * state the answer was computed from (`checkPoll`, @caja/api): the same request
 * in the same state gets the same body whoever asks, because a state names
 * everything the body is a function of, the caller's view included. So a poll
 * whose state has an answer here is answered from it (304, or the kept body)
 * without the procedure. An answer is only kept when the state named before the
 * call is the state after it.
 */
export class KeptAnswers {
  /** By URL, then by state: no key is built per lookup (URLs with a feed cursor are long). */
  private readonly byRequest = new Map<string, Map<string, Entry>>();
  /** Every entry, oldest first (a Set keeps insertion order), for dropping by age across requests. */
  private readonly byAge = new Set<Entry>();
  private bytes = 0;
  readonly maxBytes: number;
  readonly maxBodyBytes: number;
  private readonly maxStatesPerRequest: number;

  constructor(options: KeptAnswersOptions = {}) {
    this.maxBytes = options.maxBytes ?? 32 * 1024 * 1024;
    this.maxBodyBytes = options.maxBodyBytes ?? 64 * 1024;
    this.maxStatesPerRequest = options.maxStatesPerRequest ?? 8;
  }

  get(request: string, state: string): KeptAnswer | undefined {
    return this.byRequest.get(request)?.get(state);
  }

  keep(request: string, state: string, etag: string, body: Buffer): void {
    const kept = body.length <= this.maxBodyBytes ? body : undefined;
    // Strings count twice: V8 may hold them as two-byte characters.
    const bytes = (kept?.length ?? 0) + 2 * (request.length + state.length + etag.length) + ENTRY_OVERHEAD_BYTES;
    if (bytes > this.maxBytes) return;
    const had = this.byRequest.get(request);
    const replaced = had?.get(state);
    if (replaced) this.drop(replaced);
    else if (had && had.size >= this.maxStatesPerRequest) {
      const oldest = had.values().next();
      if (!oldest.done) this.drop(oldest.value);
    }
    // Looked up after the drops: dropping a request's last state drops its map too.
    let states = this.byRequest.get(request);
    if (!states) {
      states = new Map();
      this.byRequest.set(request, states);
    }
    const entry = new Entry(request, state, etag, kept, bytes);
    states.set(state, entry);
    this.byAge.add(entry);
    this.bytes += bytes;
    while (this.bytes > this.maxBytes) {
      const oldest = this.byAge.values().next();
      if (oldest.done) break;
      this.drop(oldest.value);
    }
  }

  /** Bytes kept now (see `maxBytes`). */
  get size(): number {
    return this.bytes;
  }

  private drop(entry: Entry): void {
    this.byAge.delete(entry);
    this.bytes -= entry.bytes;
    const states = this.byRequest.get(entry.request);
    if (!states) return;
    states.delete(entry.state);
    if (states.size === 0) this.byRequest.delete(entry.request);
  }
}

/**
 * A poll answered from the answer kept for its request and state, if there is
 * one: 304 when the client's copy is current, else the kept body. False when
 * there is none (or only its ETag, not matching): the procedure answers.
 */
export function sendKept(
  req: IncomingMessage,
  res: ServerResponse,
  kept: KeptAnswers,
  request: string,
  state: string | null,
  contentType: string,
): boolean {
  if (state === null) return false;
  const answer = kept.get(request, state);
  if (!answer) return false;
  if (answer.body) sendRevalidated(req, res, answer.etag, answer.body, contentType);
  else if (matchesIfNoneMatch(req.headers["if-none-match"], answer.etag)) sendNotModified(res, answer.etag);
  else return false;
  return true;
}

/**
 * A poll answer the procedure computed, sent (200 or 304), and kept for its request
 * and state when the state after the call (`stateAfter`) is the state it began in:
 * only then was the answer computed from that state alone.
 */
export async function sendComputed(
  req: IncomingMessage,
  res: ServerResponse,
  kept: KeptAnswers,
  request: string,
  state: { before: string | null; after: () => Promise<string | null> },
  body: string,
  contentType: string,
): Promise<void> {
  const answer = answerOf(body);
  sendRevalidated(req, res, answer.etag, answer.body, contentType);
  if (state.before !== null && (await state.after()) === state.before) kept.keep(request, state.before, answer.etag, answer.body);
}
