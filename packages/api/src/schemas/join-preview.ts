import { z } from "zod";
import { sessionLifecycle } from "./common";
import { joinCode, nicknameInput } from "./participant";

export const joinPreviewInput = z.object({ join_code: joinCode });

/**
 * What anyone holding a join code may learn before joining: enough for a join screen,
 * nothing that names or counts (no ids, owner, participants or seats).
 */
export const joinPreview = z
  .object({
    title: z.string(),
    status: sessionLifecycle,
    accepts_joins: z.boolean().meta({
      description: "Whether a join could succeed now: the session is draft or active, joins are not locked and it is not full",
    }),
  })
  .meta({ id: "JoinPreview" });
export type JoinPreview = z.infer<typeof joinPreview>;

export const nicknameCheckInput = z.object({ join_code: joinCode, nickname: nicknameInput });

export const nicknameAvailability = z
  .object({
    nickname: z.string().meta({ description: "The nickname as a join would store it (normalised)" }),
    available: z.boolean().meta({
      description:
        "No participant of the session has it, or a look-alike of it, now (ignoring case); a join can still race for it",
    }),
  })
  .meta({ id: "NicknameAvailability" });
