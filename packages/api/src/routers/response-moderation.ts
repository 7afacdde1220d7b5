import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { moderateResponseInput, responseRefInput, toVoteStateWire, voteState } from "../schemas/moderation";
import { toUserResponseWire, userResponse } from "../schemas/response";
import * as moderation from "../services/moderation";
import { setVote } from "../services/votes";
import { procedure } from "../trpc";

const tags = ["Responses"];
const responsePath = "/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}";
const voteErrors = ["VOTES_NOT_SUPPORTED", "OWN_RESPONSE_VOTE", "ACTIVITY_NOT_ACTIVE"] as const;

/** The owner's controls over single responses, and participants' votes; spread into the response router. */
export const responseModerationProcedures = {
  moderate: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "PATCH",
        path: `${responsePath}/moderation`,
        tags,
        summary: "Approve, reject or set back to pending a response; followers of the feed get the change",
      },
    })
    .input(moderateResponseInput)
    .output(userResponse)
    .mutation(async ({ ctx, input }) =>
      toUserResponseWire(
        await moderation.moderateResponse(ctx.deps, {
          sessionId: input.session_id,
          activityId: input.activity_id,
          responseId: input.response_id,
          status: input.status,
        }),
      ),
    ),

  remove: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "DELETE",
        path: responsePath,
        tags,
        summary: "Delete a response: its data is erased, counts and results follow, the feed sends a tombstone (again: 404)",
        successDescription: "Deleted (no content)",
      },
    })
    .input(responseRefInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await moderation.removeResponse(ctx.deps, {
        sessionId: input.session_id,
        activityId: input.activity_id,
        responseId: input.response_id,
      });
    }),

  vote: procedure
    .meta({
      access: "participant",
      openapi: {
        method: "POST",
        path: `${responsePath}/votes`,
        tags,
        summary: "Upvote another participant's entry (once; repeating answers the same)",
      },
      okStatus: 200,
      errors: voteErrors,
    })
    .input(responseRefInput)
    .output(voteState)
    .mutation(async ({ ctx, input }) =>
      toVoteStateWire(
        await setVote(ctx.deps, {
          sessionId: input.session_id,
          activityId: input.activity_id,
          responseId: input.response_id,
          participantId: ctx.claims.participant_id,
          add: true,
        }),
      ),
    ),

  unvote: procedure
    .meta({
      access: "participant",
      openapi: {
        method: "DELETE",
        path: `${responsePath}/votes`,
        tags,
        summary: "Withdraw your upvote (repeating answers the same)",
      },
      errors: voteErrors,
    })
    .input(responseRefInput)
    .output(voteState)
    .mutation(async ({ ctx, input }) =>
      toVoteStateWire(
        await setVote(ctx.deps, {
          sessionId: input.session_id,
          activityId: input.activity_id,
          responseId: input.response_id,
          participantId: ctx.claims.participant_id,
          add: false,
        }),
      ),
    ),
} satisfies TRPCRouterRecord;
