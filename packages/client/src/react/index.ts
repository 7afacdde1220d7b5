export { CajaProvider, type CajaProviderProps } from "./provider";
export { useCajaAuth, type CajaAuth } from "./auth-context";
export { TRPCProvider, useTRPC, useTRPCClient } from "./trpc-context";
export { useActivityStatus, useSessionStatus, type PollingQueryOptions } from "./status-hooks";
export { useResponseFeed, type ResponseFeedOptions, type ResponseFeedState } from "./use-response-feed";
export { useJoinSession, useSubmitResponse, type JoinSessionOptions, type SubmitResponseOptions } from "./participant-hooks";
export { pollingDefaults } from "./polling-defaults";
export { useResults, type HiddenResults, type ResultsAnswer, type ResultsOptions } from "./use-results";
export { useJoinPreview, useNicknameCheck, type JoinPreviewOptions, type NicknameCheck } from "./join-hooks";
