import { and, asc, count, eq, userResponses, type ActivityId, type ParticipantId } from "@caja/db";
import type { ServiceDeps } from "./deps";
import { paginate } from "./paginate";
import { listedFor } from "./participant-view";

export { COUNTER_SHARDS, invalidateAfterResponseWrite, submitResponse, type SubmitRequest, type SubmitResult } from "./submit";

/** The responses the caller sees (see participant-view.ts); `participantId` undefined is the owner. */
export async function listResponses(
  { db, activityTypes }: ServiceDeps,
  q: { activityId: ActivityId; participantId?: ParticipantId; limit: number; offset: number },
) {
  const where = and(eq(userResponses.activityId, q.activityId), listedFor(activityTypes, q.activityId, q.participantId));
  return paginate(
    q,
    ({ limit, offset }) =>
      db
        .select()
        .from(userResponses)
        .where(where)
        .orderBy(asc(userResponses.createdAt), asc(userResponses.id))
        .limit(limit)
        .offset(offset),
    () => db.select({ n: count() }).from(userResponses).where(where),
  );
}
