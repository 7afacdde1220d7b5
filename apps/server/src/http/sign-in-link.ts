import type { IncomingMessage, ServerResponse } from "node:http";
import { z } from "zod";
import { CajaError, addressLimitKey, type RateLimiter, type TokenService } from "@caja/api";
import type { Database } from "@caja/db";
import { readBody, sendError } from "@caja/openapi";
import { redeemSignInCode } from "../sign-in-codes";

export const SIGN_IN_PATH = "/sign-in";
const ADMIN_TTL_SECONDS = 12 * 3600;
const MAX_BODY_BYTES = 1024;

const signInInput = z.object({ code: z.string().min(1).max(256) });
const signInOutput = z.object({ token: z.string(), expires_at: z.string() });

/**
 * `POST /sign-in` with `{ "code" }` from a one-time sign-in link answers `{ token, expires_at }`,
 * an admin token (sub "admin", 12 h). The code is the only thing that counts: where the request
 * seems to come from never does (a reverse proxy on the same machine makes every caller look
 * local). Codes are made only where the operator is: printed on the console of a server on its
 * embedded default, or by `pnpm caja sign-in-link` (see sign-in-codes.ts).
 *
 * - The code travels in the link's fragment (never sent by a browser) and then in this POST's
 *   body, so it reaches no access log, Referer or history; it is never logged here.
 * - Failed codes spend the caller's `invalid_token` budget (RATE_LIMIT_INVALID_TOKEN, per
 *   address, shared through Redis); once spent, every code from that address gets `429`, a good
 *   one too, until it refills.
 * - JSON only and answered before the CORS step: another origin's page can neither send it as a
 *   simple form post nor read the answer.
 */
export function createSignInExchange(options: {
  db: Database;
  tokens: TokenService;
  limiter: RateLimiter;
  clientAddress: (req: IncomingMessage) => string;
  onInternalError: (error: unknown, req: IncomingMessage) => void;
}) {
  async function exchange(req: IncomingMessage): Promise<string> {
    if (req.method !== "POST") {
      throw new CajaError("METHOD_NOT_ALLOWED", 'POST the code of a sign-in link as JSON: {"code": "..."}');
    }
    const key = addressLimitKey(options.clientAddress(req));
    // A token is taken before the code is tried, so a spent budget refuses every code, a good one too.
    const checkedAt = Date.now();
    const budget = await options.limiter.check("invalid_token", key);
    if (!budget.ok) throw rateLimited(budget.retryAfter);
    let codeFailed = false;
    try {
      const input = signInInput.safeParse(await readJson(req));
      if (!input.success) {
        throw new CajaError("VALIDATION_ERROR", 'Invalid code: send {"code": "..."}', { field: "code", reason: "required" });
      }
      codeFailed = !(await redeemSignInCode(options.db, input.data.code));
      if (codeFailed) {
        throw new CajaError(
          "UNAUTHORIZED",
          "This sign-in link is not valid: it was used already, it expired, or it was copied incompletely. " +
            "Ask for a new one (`pnpm caja sign-in-link`, or restart `pnpm start`).",
        );
      }
    } finally {
      // Only a failed code spends the budget: a malformed request, an outage or a sign-in gives the token back.
      if (!codeFailed) options.limiter.refund("invalid_token", key, checkedAt);
    }
    const { token, expiresAt } = options.tokens.sign({ sub: "admin", role: "admin" }, ADMIN_TTL_SECONDS);
    return JSON.stringify(signInOutput.parse({ token, expires_at: expiresAt.toISOString() }));
  }

  return async function handleSignIn(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const body = await exchange(req);
      res.writeHead(200, { "content-type": "application/json; charset=utf-8", "cache-control": "no-store" }).end(body);
    } catch (error) {
      // The rest of a refused body is drained, so the connection can carry the next request.
      req.resume();
      sendError(res, error, () => options.onInternalError(error, req));
    }
  };
}

const rateLimited = (retryAfter: number) =>
  new CajaError("RATE_LIMITED", "Too many failed sign-in attempts", { retry_after: retryAfter }, retryAfter);

async function readJson(req: IncomingMessage): Promise<unknown> {
  if (!/^application\/json\b/i.test(req.headers["content-type"] ?? "")) {
    throw new CajaError("UNSUPPORTED_MEDIA_TYPE", "Send the body as application/json", {
      content_type: req.headers["content-type"] ?? "",
    });
  }
  const body = await readBody(req, MAX_BODY_BYTES);
  try {
    return JSON.parse(body.toString("utf8")) as unknown;
  } catch {
    throw new CajaError("VALIDATION_ERROR", "The body is not valid JSON", { field: "body", reason: "invalid JSON" });
  }
}
