import type { TRPCRouterRecord } from "@trpc/server";
import { defaultAnswerSizes, pageBound, recordBounds } from "../answer-bounds";
import { pageLimits, toPage } from "../schemas/common";
import { feedPageLimits, responseFeed, responseFeedInput, toResponseFeedWire } from "../schemas/polling";
import {
  listResponsesInput,
  submitHeaders,
  submitResponseInput,
  toUserResponseWire,
  userResponse,
  userResponsePage,
} from "../schemas/response";
import { authorFilter } from "../services/anonymity";
import * as feed from "../services/feed";
import { assertJsonBytes } from "../services/json-size";
import * as responses from "../services/responses";
import { scopedActivity } from "../access/policy";
import { procedure } from "../trpc";
import { pollIntervalMs } from "../poll-interval";
import { responseModerationProcedures } from "./response-moderation";
import type { ServiceDeps } from "../services/deps";
import type { Context } from "../context";
import { andThen } from "../maybe-sync";
import { idempotencyKeyOf, idempotent } from "../services/idempotency";

const tags = ["Responses"];

/** The idle feed's answer is a function of the poll's input (in the request), the head and the interval. */
function idleFeedState(ctx: Context, head: object | null | undefined): string | null {
  return head === undefined ? null : `${ctx.deps.cache.versionOf(head)}:${pollIntervalMs(ctx)}`;
}

export const responseRouter = {
  submit: procedure
    .meta({
      access: "participant",
      openapi: {
        method: "POST",
        path: "/v1/sessions/{session_id}/activities/{activity_id}/responses",
        tags,
        summary:
          "Submit your response to an active activity (single mode: submitting again replaces it; multiple mode: adds one)",
        description:
          "Send an `Idempotency-Key` header to make retries safe: a retry with the same key returns the first result " +
          "(same response, same status) without storing anything again; the same key with a different body is a 422. " +
          "Keys are kept 24 hours.",
        requestHeaders: submitHeaders,
      },
      errors: [
        "ACTIVITY_NOT_ACTIVE",
        "ACTIVITY_TIME_UP",
        "RESPONSE_LIMIT_REACHED",
        "RESPONSE_SUPERSEDED",
        "CONFLICT",
        "IDEMPOTENCY_KEY_IN_USE",
        "IDEMPOTENCY_KEY_REUSED",
      ],
      seatCheckedInWrite: true,
    })
    .input(submitResponseInput)
    .output(userResponse)
    .mutation(async ({ ctx, input }) => {
      assertJsonBytes(
        "response_data",
        input.response_data,
        ctx.deps.settings.maxResponseDataBytes ?? defaultAnswerSizes.responseDataBytes,
      );
      const key = idempotencyKeyOf(ctx.headers);
      const { participant_id: participantId, tid: tokenId, session_id: seatSessionId } = ctx.claims;
      const submit = async (deps: ServiceDeps) => {
        const { response } = await responses.submitResponse(deps, {
          sessionId: input.session_id,
          activityId: input.activity_id,
          participantId,
          data: input.response_data,
          timing: ctx.timing,
          seat: { tokenId, sessionId: seatSessionId },
        });
        return toUserResponseWire(response);
      };
      if (key === undefined) return submit(ctx.deps);
      // A retry with the key answers the first result (201 with the same response) without writing again.
      const request = { participantId, key, body: { procedure: "response.submit", ...input } };
      const { body, replayed } = await idempotent(ctx.deps, request, 201, submit);
      // A replay answers without the statement that checks the seat: it is asked here, as the guard would
      // (a refusal of the replay itself is answered seat first by the guard's `seatFirst`).
      if (replayed) await ctx.deps.seats.assertSeated(ctx.claims, true, Date.now(), ctx.deps);
      else await responses.invalidateAfterResponseWrite(ctx.deps, input.activity_id, input.session_id);
      return body;
    }),

  list: procedure
    .meta({
      access: "member",
      answerBytes: pageBound(recordBounds.response, pageLimits.fallback, pageLimits.max),
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/activities/{activity_id}/responses",
        tags,
        summary:
          "List responses (the owner sees all with their moderation status; a participant its own, and others' approved ones where the type shares entries, e.g. qa)",
      },
    })
    .input(listResponsesInput)
    .output(userResponsePage)
    .query(async ({ ctx, input }) => {
      const viewer = ctx.claims.role === "participant" ? ctx.claims.participant_id : undefined;
      const [page, authors] = await Promise.all([
        responses.listResponses(ctx.deps, {
          activityId: input.activity_id,
          participantId: viewer,
          limit: input.limit,
          offset: input.offset,
        }),
        authorFilter(ctx.deps, input.activity_id, viewer),
      ]);
      return toPage(page, (row) => authors(toUserResponseWire(row)));
    }),

  feed: procedure
    .meta({
      access: "member",
      answerBytes: pageBound(recordBounds.response, feedPageLimits.fallback, feedPageLimits.max),
      openapi: {
        method: "GET",
        path: "/sessions/{session_id}/activities/{activity_id}/responses/since/{timestamp}",
        tags: ["Polling"],
        summary:
          "Responses created or updated after a timestamp, by updated_at; gap-free by next_cursor or by the newest updated_at seen",
      },
      limit: "poll",
      poll: true,
      // Nothing new for the poll: the empty page is a function of its input (in the request) and the head.
      // Not async: with the head in the local cache the state is read without a promise.
      pollState: (ctx, scope, input) => {
        const { timestamp, cursor } = input;
        if (typeof timestamp !== "string" || (cursor !== undefined && typeof cursor !== "string")) return null;
        const head = feed.idleFeedHead(ctx.deps, { activityId: scopedActivity(scope).id, timestamp, cursor });
        return andThen(head, (idle) => idleFeedState(ctx, idle));
      },
    })
    .input(responseFeedInput)
    .output(responseFeed)
    .query(async ({ ctx, input }) => {
      const viewer = ctx.claims.role === "participant" ? ctx.claims.participant_id : undefined;
      const page = await feed.responseFeed(ctx.deps, {
        sessionId: input.session_id,
        activityId: input.activity_id,
        timestamp: input.timestamp,
        cursor: input.cursor,
        limit: input.limit,
        participantId: viewer,
      });
      if (page.entries.length === 0) return toResponseFeedWire(page, pollIntervalMs(ctx));
      const authors = await authorFilter(ctx.deps, input.activity_id, viewer);
      return toResponseFeedWire(page, pollIntervalMs(ctx), (row) => authors(toUserResponseWire(row)));
    }),

  ...responseModerationProcedures,
} satisfies TRPCRouterRecord;
