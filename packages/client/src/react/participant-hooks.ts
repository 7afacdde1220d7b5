import { useMutation, useQueryClient, type UseMutationOptions, type UseMutationResult } from "@tanstack/react-query";
import type { CajaClientError } from "../errors";
import type { JoinResult, RouterInputs, SubmitInput, UserResponse } from "../types";
import { useCajaAuth } from "./auth-context";
import { useTRPC } from "./trpc-context";

type MutationOptions<TOutput, TInput> = Omit<UseMutationOptions<TOutput, CajaClientError, TInput>, "mutationKey" | "mutationFn">;

export type JoinSessionOptions = MutationOptions<JoinResult, RouterInputs["participant"]["join"]> & {
  /** Make the provider send the new participant's token from now on (default true). */
  adoptToken?: boolean;
};

/**
 * Joins a session by its code: `join.mutate({ join_code, nickname })`; `join.data` holds the
 * participant, its token and the session. The token becomes the provider's token.
 */
export function useJoinSession({ adoptToken = true, onSuccess, ...options }: JoinSessionOptions = {}): UseMutationResult<
  JoinResult,
  CajaClientError,
  RouterInputs["participant"]["join"]
> {
  const trpc = useTRPC();
  const { setToken } = useCajaAuth();
  return useMutation(
    trpc.participant.join.mutationOptions({
      ...options,
      onSuccess: (result, ...rest) => {
        if (adoptToken) setToken(result.token);
        return onSuccess?.(result, ...rest);
      },
    }),
  );
}

export type SubmitResponseOptions<T extends string = string> = MutationOptions<UserResponse, SubmitInput<T>>;

/**
 * Submits (or, submitted again, replaces) the participant's response:
 * `submit.mutate({ session_id, activity_id, response_data })`. With the activity's type,
 * `useSubmitResponse<"poll">()`, `response_data` is checked at compile time (a poll's
 * `{ selected_options }`). The activity's status, results and feed are refetched right away
 * rather than at the next poll.
 */
export function useSubmitResponse<T extends string = string>({
  onSuccess,
  ...options
}: SubmitResponseOptions<T> = {}): UseMutationResult<UserResponse, CajaClientError, SubmitInput<T>> {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const mutation = trpc.response.submit.mutationOptions({
    ...(options as MutationOptions<UserResponse, RouterInputs["response"]["submit"]>),
    onSuccess: async (response, ...rest) => {
      const ids = { session_id: response.session_id, activity_id: response.activity_id };
      await Promise.all([
        queryClient.invalidateQueries(trpc.activity.status.queryFilter(ids)),
        queryClient.invalidateQueries(trpc.activity.results.queryFilter(ids)),
        queryClient.invalidateQueries(trpc.response.feed.pathFilter()),
      ]);
      return (onSuccess as MutationOptions<UserResponse, RouterInputs["response"]["submit"]>["onSuccess"])?.(response, ...rest);
    },
  });
  // The typed input is a narrowing of the router's input: what is sent is the same object.
  return useMutation(mutation) as unknown as UseMutationResult<UserResponse, CajaClientError, SubmitInput<T>>;
}
