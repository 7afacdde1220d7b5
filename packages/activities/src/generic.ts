import { z } from "zod";
import type { CountedResponse } from "./define";
import { count } from "./types/fields";

/** The result of an activity whose type is not registered: how many answered, nothing about what. */
export const genericResult = z.object({ response_count: count, participants_answered: count }).meta({ id: "GenericResult" });
export type GenericResult = z.output<typeof genericResult>;

export const aggregateGeneric = (responses: readonly CountedResponse<unknown>[]): GenericResult => ({
  response_count: responses.length,
  participants_answered: new Set(responses.map((r) => r.participantId)).size,
});
