import type { TRPCRouterRecord } from "@trpc/server";
import { z } from "zod";
import { CajaError } from "../errors";
import { pageBound, recordBounds } from "../answer-bounds";
import { spendOnSuccess } from "../ratelimit";
import { pageLimits, toPage } from "../schemas/common";
import {
  joinSessionInput,
  joinSessionOutput,
  leaveSessionInput,
  listParticipantsInput,
  participantList,
  removeParticipantInput,
  toLobbyParticipantWire,
  toParticipantWithPresenceWire,
  toParticipantWire,
} from "../schemas/participant";
import { joinPreview, joinPreviewInput, nicknameAvailability, nicknameCheckInput } from "../schemas/join-preview";
import { cachedJoinPreview, isNicknameAvailable } from "../services/join-preview";
import * as participants from "../services/participants";
import { procedure } from "../trpc";

const tags = ["Participants"];

export const participantRouter = {
  join: procedure
    .meta({
      access: "public",
      openapi: { method: "POST", path: "/v1/sessions/join", tags, summary: "Join a session by its code", protect: false },
      limit: "join",
      errors: ["NOT_FOUND", "NICKNAME_TAKEN", "SESSION_FULL", "SESSION_CLOSED", "JOINS_LOCKED"],
    })
    .input(joinSessionInput)
    .output(joinSessionOutput)
    .mutation(async ({ ctx, input }) => {
      // Per address is not enough: a flood from rotating addresses would fill the room. Only joins
      // that took a seat count, so failed ones (a taken nickname, retried) cannot lock the room.
      const { participant, session } = await spendOnSuccess(
        ctx.deps.limiter,
        "session_join",
        input.join_code,
        (verdict) =>
          new CajaError(
            "RATE_LIMITED",
            "Too many joins into this session; retry shortly",
            { retry_after: verdict.retryAfter, scope: "session" },
            verdict.retryAfter,
          ),
        () => participants.joinSession(ctx.deps, input.join_code, input.nickname),
      );
      const { token, expiresAt } = ctx.deps.tokens.sign(
        {
          sub: `participant:${participant.id}`,
          role: "participant",
          session_id: session.id,
          participant_id: participant.id,
          tid: participant.tokenId,
        },
        ctx.deps.settings.participantTokenTtlSeconds,
      );
      return { participant: toParticipantWire(participant), token, expires_at: expiresAt.toISOString(), session };
    }),

  preview: procedure
    .meta({
      access: "public",
      openapi: {
        method: "GET",
        path: "/v1/join/{join_code}",
        tags,
        summary: "Preview a session by its join code before joining: its title, status and whether it accepts joins",
        protect: false,
      },
      limit: "join_preview",
    })
    .input(joinPreviewInput)
    .output(joinPreview)
    .query(async ({ ctx, input }) => {
      const preview = await cachedJoinPreview(ctx.deps, input.join_code);
      return { title: preview.title, status: preview.status, accepts_joins: preview.acceptsJoins };
    }),

  nicknameAvailability: procedure
    .meta({
      access: "public",
      openapi: {
        method: "GET",
        path: "/v1/join/{join_code}/nickname",
        tags,
        summary: "Check whether a nickname is free in a session before joining (normalised and compared as join does)",
        protect: false,
      },
      limit: "join_preview",
    })
    .input(nicknameCheckInput)
    .output(nicknameAvailability)
    .query(async ({ ctx, input }) => ({
      nickname: input.nickname,
      available: await isNicknameAvailable(ctx.deps, input.join_code, input.nickname),
    })),

  list: procedure
    .meta({
      access: "member",
      answerBytes: pageBound(recordBounds.participant, pageLimits.fallback, pageLimits.max),
      openapi: {
        method: "GET",
        path: "/v1/sessions/{session_id}/participants",
        tags,
        summary: "List a session's participants (the owner: everything; a participant: nickname, joined_at, online)",
      },
    })
    .input(listParticipantsInput)
    .output(participantList)
    .query(async ({ ctx, input }) => {
      const page = await participants.listParticipants(ctx.deps, input.session_id, input);
      return ctx.claims.role === "admin" ? toPage(page, toParticipantWithPresenceWire) : toPage(page, toLobbyParticipantWire);
    }),

  remove: procedure
    .meta({
      access: "owner",
      openapi: {
        method: "DELETE",
        path: "/v1/sessions/{session_id}/participants/{participant_id}",
        tags,
        summary:
          "Remove a participant: its token stops working (401 PARTICIPANT_REMOVED), its nickname is free, its answers stay (and so does its seat once it has answered)",
        successDescription: "Removed (no content)",
      },
    })
    .input(removeParticipantInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await participants.removeParticipant(ctx.deps, input.session_id, input.participant_id);
      ctx.deps.seats.forget(input.participant_id);
    }),

  leave: procedure
    .meta({
      access: "participant",
      openapi: {
        method: "DELETE",
        path: "/v1/sessions/{session_id}/participants/me",
        tags,
        summary:
          "Leave the session: your token stops working and your nickname is free; your answers stay (and so does your seat once you have answered)",
        successDescription: "Left (no content)",
      },
    })
    .input(leaveSessionInput)
    .output(z.void())
    .mutation(async ({ ctx, input }) => {
      await participants.removeParticipant(ctx.deps, input.session_id, ctx.claims.participant_id);
      ctx.deps.seats.forget(ctx.claims.participant_id);
    }),
} satisfies TRPCRouterRecord;
