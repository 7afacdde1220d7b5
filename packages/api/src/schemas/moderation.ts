import { z } from "zod";
import { moderationStatus } from "@caja/activities";
import type { VoteRecord } from "../services/votes";
import { activityId, nonNegativeInt, responseId, sessionId, uuidId } from "./common";

/** One response of an activity, as the moderation, deletion and vote routes name it. */
export const responseRefInput = z.object({ session_id: sessionId, activity_id: activityId, response_id: responseId });

export const moderateResponseInput = responseRefInput
  .extend({ status: moderationStatus })
  .meta({ title: "ModerateResponseRequest" });

/** The caller's vote on a response after `POST` or `DELETE .../votes`: the same answer however often it is repeated. */
export const voteState = z
  .object({
    response_id: uuidId,
    vote_count: nonNegativeInt.meta({ description: "Upvotes the response has now" }),
    voted: z.boolean().meta({ description: "Whether the caller's vote is on it" }),
  })
  .meta({ id: "VoteState" });
export type VoteState = z.infer<typeof voteState>;

export const toVoteStateWire = (vote: VoteRecord): VoteState => ({
  response_id: vote.responseId,
  vote_count: vote.voteCount,
  voted: vote.voted,
});
