export { createCajaClient, cajaLink, type CajaClient, type CajaClientOptions } from "./client";
export { type TokenSource } from "./auth";
export { cajaErrorCode, httpStatusOf, isTransientError, retryAfterHeaderMs, retryAfterMs, type CajaClientError } from "./errors";
export {
  DEFAULT_MAX_BACKOFF_MS,
  DEFAULT_POLL_INTERVAL_MS,
  pollIntervalFor,
  pollRetryDelay,
  shouldRetryPoll,
  type PollPolicy,
} from "./polling";
export { mergeFeedItems, type Removed, type Versioned } from "./feed";
export type {
  ActivityResults,
  ActivityStatus,
  AppRouter,
  BuiltInActivityTypeName,
  ConfigByType,
  ConfigInputByType,
  GenericResult,
  LeaderboardEntry,
  ResponseByType,
  ResultsByType,
  SubmitInput,
  FeedItem,
  FeedResponse,
  FeedTombstone,
  JoinPreview,
  JoinResult,
  NicknameAvailability,
  LifecycleStatus,
  ResponseFeedPage,
  RouterInputs,
  RouterOutputs,
  SessionStatus,
  UserResponse,
} from "./types";
