import { z } from "zod";
import { textLimits, type ActivityRow } from "@caja/db";
import {
  activityId,
  titleText,
  jsonObject,
  activityLifecycle,
  nonNegativeInt,
  serialId,
  nullableTimestamp,
  pageInput,
  pageOf,
  sessionId,
  storable,
  timestamp,
  toIso,
  toIsoOrNull,
  withoutNul,
} from "./common";

const type = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(textLimits.activityType, { error: `must be at most ${textLimits.activityType} characters` })
  .refine(withoutNul, storable)
  .meta({ example: "poll" });
const orderIndex = z.number().int().min(0).max(1_000_000);

export const activity = z
  .object({
    id: z.uuid(),
    session_id: serialId,
    type: z.string(),
    title: z.string().nullable(),
    config: jsonObject,
    order_index: nonNegativeInt,
    status: activityLifecycle,
    created_at: timestamp,
    updated_at: timestamp,
    started_at: nullableTimestamp,
    completed_at: nullableTimestamp,
  })
  .meta({ id: "Activity" });
export type Activity = z.infer<typeof activity>;

export const activityPage = pageOf(activity).meta({ id: "ActivityPage" });

export const createActivityInput = z
  .object({
    session_id: sessionId,
    type,
    title: titleText.optional().meta({ description: "Optional (the spec's Activity has none): the facilitator's label" }),
    config: jsonObject.default({}),
    order_index: orderIndex.optional(),
  })
  .meta({ title: "CreateActivityRequest" });

export const listActivitiesInput = z.object({ session_id: sessionId, ...pageInput, status: activityLifecycle.optional() });

export const activityRef = z.object({ session_id: sessionId, activity_id: activityId });

export const updateActivityInput = z
  .object({
    session_id: sessionId,
    activity_id: activityId,
    type: type.optional(),
    title: titleText.nullable().optional(),
    config: jsonObject.optional(),
    order_index: orderIndex.optional(),
  })
  .meta({ title: "UpdateActivityRequest" });

export const setActivityStatusInput = z
  .object({ activity_id: activityId, status: activityLifecycle })
  .meta({ title: "UpdateActivityStatusRequest" });

export function toActivityWire(row: ActivityRow): Activity {
  return {
    id: row.id,
    session_id: row.sessionId,
    type: row.type,
    title: row.title,
    config: row.config as Record<string, unknown>,
    order_index: row.orderIndex,
    status: row.status,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    started_at: toIsoOrNull(row.startedAt),
    completed_at: toIsoOrNull(row.completedAt),
  };
}
