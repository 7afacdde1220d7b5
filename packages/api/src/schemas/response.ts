import { z } from "zod";
import { moderationStatus } from "@caja/activities";
import type { UserResponseRow } from "@caja/db";
import {
  activityId,
  jsonValue,
  nonNegativeInt,
  pageInput,
  pageOf,
  serialId,
  sessionId,
  timestamp,
  toIso,
  uuidId,
} from "./common";

export const userResponse = z
  .object({
    id: uuidId,
    session_id: serialId,
    activity_id: uuidId,
    participant_id: serialId.nullable().meta({
      description: "The author; null for other participants' entries in an anonymous activity (a qa with anonymous: true)",
    }),
    response_data: z.unknown(),
    created_at: timestamp,
    updated_at: timestamp,
    status: moderationStatus.meta({
      description:
        "Moderation status: `pending` entries (moderated activities) are seen only by their author and the owner; `rejected` ones likewise",
    }),
    vote_count: nonNegativeInt.meta({ description: "Upvotes from other participants (types with votes, e.g. qa); else 0" }),
  })
  .meta({ id: "UserResponse" });
export type UserResponse = z.infer<typeof userResponse>;

export const userResponsePage = pageOf(userResponse).meta({ id: "UserResponsePage" });

export const submitResponseInput = z
  .object({
    session_id: sessionId,
    activity_id: activityId,
    response_data: jsonValue,
  })
  .meta({ title: "SubmitResponseRequest" });

/** Request headers of the submit route, for the OpenAPI document (the procedure reads them from its context). */
export const submitHeaders = z.object({
  "Idempotency-Key": z
    .string()
    .min(1)
    .max(255)
    .regex(/^[\x21-\x7e]+$/)
    .optional()
    .meta({
      description:
        "Makes retries safe: a retry with the same key returns the first result; the same key with another body is 422 IDEMPOTENCY_KEY_REUSED. 1-255 visible ASCII characters, kept 24 h.",
      example: "3f0c9a52-5b1e-4d1f-9a63-2f8e0f7f1c11",
    }),
});

export const listResponsesInput = z.object({ session_id: sessionId, activity_id: activityId, ...pageInput });

export function toUserResponseWire(row: UserResponseRow): UserResponse {
  return {
    id: row.id,
    session_id: row.sessionId,
    activity_id: row.activityId,
    participant_id: row.participantId,
    response_data: row.responseData,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    status: row.status,
    vote_count: row.voteCount,
  };
}
