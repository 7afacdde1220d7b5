import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { fixedBound, leaderboardAnswerBytes, pageBound, recordBounds } from "../answer-bounds";
import { pageLimits, toPage } from "../schemas/common";
import { sessionStatus, sessionStatusInput, toSessionStatusWire } from "../schemas/polling";
import { leaderboard, leaderboardInput, toLeaderboardWire } from "../schemas/results";
import { cachedLeaderboard } from "../services/leaderboard";
import {
  createSessionInput,
  listSessionsInput,
  session,
  sessionPage,
  sessionRef,
  setSessionStatusInput,
  toSessionWire,
  updateSessionInput,
} from "../schemas/session";
import * as sessions from "../services/sessions";
import { scopedSession } from "../access/policy";
import { procedure } from "../trpc";
import { pollIntervalMs } from "../poll-interval";

const tags = ["Sessions"];

export const sessionRouter = {
  create: procedure
    .meta({
      access: "admin",
      openapi: { method: "POST", path: "/v1/sessions", tags, summary: "Create a session", successDescription: "Created" },
    })
    .input(createSessionInput)
    .output(session)
    .mutation(async ({ ctx, input }) =>
      toSessionWire(
        await sessions.createSession(ctx.deps, {
          title: input.title,
          description: input.description,
          maxParticipants: input.max_participants,
          joinsLocked: input.joins_locked,
          createdBy: ctx.claims.sub,
        }),
        "owner",
      ),
    ),

  list: procedure
    .meta({
      access: "admin",
      answerBytes: pageBound(recordBounds.session, pageLimits.fallback, pageLimits.max),
      openapi: { method: "GET", path: "/v1/sessions", tags, summary: "List the sessions you created" },
    })
    .input(listSessionsInput)
    .output(sessionPage)
    .query(async ({ ctx, input }) => {
      const page = await sessions.listSessions(ctx.deps, { createdBy: ctx.claims.sub, ...input });
      return toPage(page, (row) => toSessionWire(row, "owner"));
    }),

  get: procedure
    .meta({
      access: "member",
      openapi: { method: "GET", path: "/v1/sessions/{session_id}", tags, summary: "Get a session (owner or participant)" },
    })
    .input(sessionRef)
    .output(session)
    .query(async ({ ctx, input }) => {
      // The member rule admits only the owning admin besides the session's participants.
      const viewer = ctx.claims.role === "admin" ? "owner" : "participant";
      return toSessionWire(await sessions.findSession(ctx.deps, input.session_id), viewer);
    }),

  update: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "PUT",
        path: "/v1/sessions/{session_id}",
        tags,
        summary: "Update a session's title, description, capacity or whether it takes new joins",
      },
    })
    .input(updateSessionInput)
    .output(session)
    .mutation(async ({ ctx, input }) => {
      const row = await sessions.updateSession(ctx.deps, input.session_id, {
        title: input.title,
        description: input.description,
        maxParticipants: input.max_participants,
        joinsLocked: input.joins_locked,
      });
      return toSessionWire(row, "owner");
    }),

  delete: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "DELETE",
        path: "/v1/sessions/{session_id}",
        tags,
        summary: "Delete a session and everything in it",
        successDescription: "Deleted (no content)",
      },
    })
    .input(sessionRef)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await sessions.deleteSession(ctx.deps, input.session_id);
    }),

  setStatus: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "PATCH",
        path: "/v1/sessions/{session_id}/status",
        tags,
        summary: "Move a session draft -> active -> completed",
      },
      errors: ["INVALID_TRANSITION"],
    })
    .input(setSessionStatusInput)
    .output(session)
    .mutation(async ({ ctx, input }) => {
      const current = await sessions.findSession(ctx.deps, input.session_id);
      return toSessionWire(await sessions.setSessionStatus(ctx.deps, current, input.status), "owner");
    }),

  status: procedure
    .meta({
      access: "member",
      openapi: { method: "GET", path: "/sessions/{session_id}/status", tags: ["Polling"], summary: "Poll a session's status" },
      limit: "poll",
      poll: true,
      pollState: (ctx, scope) => `${ctx.deps.cache.versionOf(scopedSession(scope))}:${pollIntervalMs(ctx)}`,
    })
    .input(sessionStatusInput)
    .output(sessionStatus)
    .query(({ ctx }) => toSessionStatusWire(scopedSession(ctx), pollIntervalMs(ctx))),

  leaderboard: procedure
    .meta({
      access: "member",
      answerBytes: fixedBound(leaderboardAnswerBytes),
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/leaderboard",
        tags: ["Polling"],
        summary: "Poll the session's quiz leaderboard (participants: completed quizzes whose results are shown)",
      },
      limit: "poll",
      poll: true,
      pollState: async (ctx, scope) => {
        const record = await cachedLeaderboard(ctx.deps, scopedSession(scope).id);
        return `${ctx.deps.cache.versionOf(record)}:${scope.claims?.role}:${pollIntervalMs(ctx)}`;
      },
    })
    .input(leaderboardInput)
    .output(leaderboard)
    .query(async ({ ctx }) => {
      const record = await cachedLeaderboard(ctx.deps, scopedSession(ctx).id);
      // The member rule admits only the owning admin; participants see the points of shown quizzes (participant-view.ts).
      const view = ctx.claims.role === "admin" ? record.all : record.participants;
      return toLeaderboardWire(record, view, pollIntervalMs(ctx));
    }),
} satisfies TRPCRouterRecord;
