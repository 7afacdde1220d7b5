import { z } from "zod";
import { responseMode, type ActivityRegistry } from "@caja/activities";
import { textLimits, type ActivityRow } from "@caja/db";
import { privateConfigShown } from "../services/participant-view";
import {
  activityId,
  activityLifecycle,
  jsonObject,
  nonNegativeInt,
  nullableTimestamp,
  pageInput,
  pageOf,
  serialId,
  sessionId,
  storable,
  storableText,
  timestamp,
  titleText,
  toIso,
  toIsoOrNull,
  uuidId,
} from "./common";

const type = z
  .string()
  .trim()
  .min(1, { error: "must not be empty" })
  .max(textLimits.activityType, { error: `must be at most ${textLimits.activityType} characters` })
  .refine(storableText, storable)
  .meta({ example: "poll" });
const orderIndex = z.number().int().min(0).max(1_000_000);
const maxResponses = z
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .nullable()
  .meta({
    description:
      "Multiple mode only: how many responses one participant may add (null: the deployment's default, MAX_RESPONSES_PER_PARTICIPANT, " +
      "listed per type as `default_max_responses_per_participant` in `GET /api/v1/activity-types`)",
  });
const minResponsesToShow = z
  .number()
  .int()
  .min(1)
  .max(1_000_000)
  .nullable()
  .meta({ description: "Participants see results only once this many responses exist (null: always)" });
const resultsVisible = z.boolean().meta({ description: "Reveal: participants see results only while true; owners always do" });
const privateConfig = jsonObject.meta({
  description: "Unregistered types only: config participants never receive before the activity completes (e.g. the answers)",
});

/** Activity fields of issue 9 that create and update accept alike (all optional on both). */
const facilitatorFields = {
  response_mode: responseMode.optional().meta({
    description:
      "Unregistered types choose (default single); a registered type always has its own mode, and a different value is refused",
  }),
  max_responses_per_participant: maxResponses.optional(),
  results_visible: resultsVisible.optional(),
  min_responses_to_show: minResponsesToShow.optional(),
  private_config: privateConfig.optional(),
};

export const activity = z
  .object({
    id: uuidId,
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
    response_mode: responseMode,
    max_responses_per_participant: maxResponses,
    results_visible: resultsVisible,
    min_responses_to_show: minResponsesToShow,
    ends_at: nullableTimestamp.meta({
      description: "Types with a time limit (quiz): set at activation; answers after it are refused (409 ACTIVITY_TIME_UP)",
    }),
    private_config: privateConfig.optional().meta({
      description:
        "Owners always; participants only once the activity is completed (before that the key is absent, and `config` lacks the type's private fields)",
    }),
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
    ...facilitatorFields,
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
    ...facilitatorFields,
  })
  .meta({ title: "UpdateActivityRequest" });

export const setActivityStatusInput = z
  .object({ activity_id: activityId, status: activityLifecycle })
  .meta({ title: "UpdateActivityStatusRequest" });

/** Who reads an activity: owners get everything, participants the public view. */
export type ActivityViewer = "owner" | "participant";

/**
 * Participants never receive private config (the type's private fields, e.g. a quiz's
 * `correct_options`, nor an unregistered type's `private_config`) before the activity completes
 * (rule 2 of participant-view.ts). Every activity a procedure returns goes through here, so no
 * read can forget it.
 */
export function toActivityWire(row: ActivityRow, registry: ActivityRegistry, viewer: ActivityViewer): Activity {
  const config = row.config as Record<string, unknown>;
  const revealed = privateConfigShown(viewer === "owner", row.status);
  return {
    id: row.id,
    session_id: row.sessionId,
    type: row.type,
    title: row.title,
    config: revealed ? config : registry.publicConfig(row.type, config),
    order_index: row.orderIndex,
    status: row.status,
    created_at: toIso(row.createdAt),
    updated_at: toIso(row.updatedAt),
    started_at: toIsoOrNull(row.startedAt),
    completed_at: toIsoOrNull(row.completedAt),
    response_mode: row.responseMode,
    max_responses_per_participant: row.maxResponsesPerParticipant,
    results_visible: row.resultsVisible,
    min_responses_to_show: row.minResponsesToShow,
    ends_at: toIsoOrNull(row.endsAt),
    ...(revealed ? { private_config: row.privateConfig as Record<string, unknown> } : {}),
  };
}
