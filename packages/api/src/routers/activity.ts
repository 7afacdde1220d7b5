import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import {
  activity,
  activityPage,
  activityRef,
  createActivityInput,
  listActivitiesInput,
  setActivityStatusInput,
  toActivityWire,
  updateActivityInput,
  type ActivityViewer,
} from "../schemas/activity";
import type { Claims } from "../auth/tokens";
import { defaultAnswerSizes, fixedBound, pageBound, recordBounds, resultsAnswerBytes } from "../answer-bounds";
import { pageLimits, toPage } from "../schemas/common";
import { activityStatus, activityStatusInput, toActivityStatusWire } from "../schemas/polling";
import { activityResults, activityResultsInput, toActivityResultsWire } from "../schemas/results";
import { cachedResults } from "../services/results";
import { activityStatusFor, resultsFor } from "../services/participant-view";
import * as activities from "../services/activities";
import { assertJsonBytes } from "../services/json-size";
import * as sessions from "../services/sessions";
import { procedure } from "../trpc";
import { scopedActivity, seesDrafts } from "../access/policy";
import { pollIntervalMs } from "../poll-interval";
import { cachedActivityStatus } from "../services/status";
import { completeIfTimeUp, looksTimeUp } from "../services/time-limit";

const tags = ["Activities"];

/** The wire's issue-9 fields as the service names them. */
const facilitatorFields = (input: z.infer<typeof createActivityInput> | z.infer<typeof updateActivityInput>) => ({
  responseMode: input.response_mode,
  maxResponsesPerParticipant: input.max_responses_per_participant,
  resultsVisible: input.results_visible,
  minResponsesToShow: input.min_responses_to_show,
  privateConfig: input.private_config,
});

/** `member` procedures: the guard let through the owner (an admin) or a participant of the session. */
const viewerOf = (claims: Claims): ActivityViewer => (claims.role === "admin" ? "owner" : "participant");

export const activityRouter = {
  create: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "POST",
        path: "/v1/sessions/{session_id}/activities",
        tags,
        summary: "Add an activity of any type with any JSON config",
      },
      errors: ["SESSION_CLOSED"],
    })
    .input(createActivityInput)
    .output(activity)
    .mutation(async ({ ctx, input }) => {
      assertJsonBytes("config", input.config, ctx.deps.settings.maxConfigBytes ?? defaultAnswerSizes.configBytes);
      if (input.private_config !== undefined) {
        assertJsonBytes(
          "private_config",
          input.private_config,
          ctx.deps.settings.maxConfigBytes ?? defaultAnswerSizes.configBytes,
        );
      }
      const session = await sessions.findSession(ctx.deps, input.session_id);
      const row = await activities.createActivity(ctx.deps, session, {
        type: input.type,
        title: input.title,
        config: input.config,
        orderIndex: input.order_index,
        ...facilitatorFields(input),
      });
      return toActivityWire(row, ctx.deps.activityTypes, "owner");
    }),

  list: procedure
    .meta({
      access: "member",
      answerBytes: pageBound(recordBounds.activity, pageLimits.fallback, pageLimits.max),
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/activities",
        tags,
        summary: "List a session's activities (participants see no drafts)",
      },
    })
    .input(listActivitiesInput)
    .output(activityPage)
    .query(async ({ ctx, input }) => {
      const page = await activities.listActivities(ctx.deps, {
        sessionId: input.session_id,
        limit: input.limit,
        offset: input.offset,
        status: input.status,
        hideDrafts: !seesDrafts(ctx.claims),
      });
      const viewer = viewerOf(ctx.claims);
      return toPage(page, (row) => toActivityWire(row, ctx.deps.activityTypes, viewer));
    }),

  get: procedure
    .meta({
      access: "member",
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/activities/{activity_id}",
        tags,
        summary: "Get an activity (participants: not drafts)",
      },
    })
    .input(activityRef)
    .output(activity)
    .query(async ({ ctx, input }) => {
      const row = await activities.findActivity(ctx.deps, input.session_id, input.activity_id);
      return toActivityWire(row, ctx.deps.activityTypes, viewerOf(ctx.claims));
    }),

  update: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "PUT",
        path: "/v1/sessions/{session_id}/activities/{activity_id}",
        tags,
        summary: "Update an activity's type, title, config or order",
      },
    })
    .input(updateActivityInput)
    .output(activity)
    .mutation(async ({ ctx, input }) => {
      if (input.config !== undefined)
        assertJsonBytes("config", input.config, ctx.deps.settings.maxConfigBytes ?? defaultAnswerSizes.configBytes);
      if (input.private_config !== undefined) {
        assertJsonBytes(
          "private_config",
          input.private_config,
          ctx.deps.settings.maxConfigBytes ?? defaultAnswerSizes.configBytes,
        );
      }
      const row = await activities.updateActivity(ctx.deps, input.session_id, input.activity_id, {
        type: input.type,
        title: input.title,
        config: input.config,
        orderIndex: input.order_index,
        ...facilitatorFields(input),
      });
      return toActivityWire(row, ctx.deps.activityTypes, "owner");
    }),

  delete: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "DELETE",
        path: "/v1/sessions/{session_id}/activities/{activity_id}",
        tags,
        summary: "Delete an activity and its responses",
        successDescription: "Deleted (no content)",
      },
    })
    .input(activityRef)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await activities.deleteActivity(ctx.deps, input.session_id, input.activity_id);
    }),

  setStatus: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "PATCH",
        path: "/v1/activities/{activity_id}/status",
        tags,
        summary: "Move an activity draft -> active -> completed",
      },
      errors: ["INVALID_TRANSITION"],
    })
    .input(setActivityStatusInput)
    .output(activity)
    .mutation(async ({ ctx, input }) => {
      const current = await activities.findActivity(ctx.deps, scopedActivity(ctx).sessionId, input.activity_id);
      const row = await activities.setActivityStatus(ctx.deps, current, input.status);
      return toActivityWire(row, ctx.deps.activityTypes, "owner");
    }),

  status: procedure
    .meta({
      access: "member",
      openapi: {
        method: "GET",
        path: "/sessions/{session_id}/activities/{activity_id}/status",
        tags: ["Polling"],
        summary: "Poll an activity's status",
      },
      limit: "poll",
      poll: true,
      // Past its time limit the poll completes the activity: that answer needs the procedure.
      pollState: (ctx, scope) => {
        const record = scopedActivity(scope);
        // The role: participants see other counts of a moderated activity (participant-view.ts).
        return looksTimeUp(record) ? null : `${ctx.deps.cache.versionOf(record)}:${scope.claims?.role}:${pollIntervalMs(ctx)}`;
      },
    })
    .input(activityStatusInput)
    .output(activityStatus)
    .query(async ({ ctx }) => {
      let record = scopedActivity(ctx);
      // Past its time limit: the first poll to notice completes it (one guarded update), then reads it again.
      if (looksTimeUp(record) && (await completeIfTimeUp(ctx.deps, record.id))) {
        record = (await cachedActivityStatus(ctx.deps, record.id)) ?? record;
      }
      // The member rule admits only the owning admin, so an admin here is the owner.
      return toActivityStatusWire(activityStatusFor(record, ctx.claims.role === "admin"), pollIntervalMs(ctx));
    }),

  results: procedure
    .meta({
      access: "member",
      answerBytes: fixedBound(resultsAnswerBytes),
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/activities/{activity_id}/results",
        tags: ["Polling"],
        summary: "Poll an activity's live results (participants: when revealed, and redacted until it completes)",
      },
      limit: "poll",
      poll: true,
      errors: ["RESULTS_HIDDEN"],
      pollState: async (ctx, scope) => {
        const activity = scopedActivity(scope);
        const record = await cachedResults(ctx.deps, activity.id);
        const view = `${scope.claims?.role}:${activity.status}`;
        return `${ctx.deps.cache.versionOf(record)}:${view}:${pollIntervalMs(ctx)}`;
      },
    })
    .input(activityResultsInput)
    .output(activityResults)
    .query(async ({ ctx }) => {
      const scope = scopedActivity(ctx);
      const record = await cachedResults(ctx.deps, scope.id);
      // The member rule admits only the owning admin, so an admin here is the owner.
      const owner = ctx.claims.role === "admin";
      return toActivityResultsWire(
        record,
        resultsFor(record, { owner, completed: scope.status === "completed" }),
        pollIntervalMs(ctx),
      );
    }),
} satisfies TRPCRouterRecord;
