// Types only: the SDK never imports server code at run time (test/dist.test.ts checks the build).
import type { AppRouter, RouterInputs, RouterOutputs } from "@caja/api";
// The build prints these as plain object types (scripts/app-router-declaration.ts): the
// published declarations must not import @caja/activities or zod.
import type {
  BuiltInActivityTypeName,
  ConfigByType,
  ConfigInputByType,
  GenericResult,
  LeaderboardEntry,
  ResponseByType,
  ResultsByType,
} from "@caja/activities";

export type { AppRouter, RouterInputs, RouterOutputs };
export type {
  BuiltInActivityTypeName,
  ConfigByType,
  ConfigInputByType,
  GenericResult,
  LeaderboardEntry,
  ResponseByType,
  ResultsByType,
};

export type SessionStatus = RouterOutputs["session"]["status"];
export type ActivityStatus = RouterOutputs["activity"]["status"];
export type ResponseFeedPage = RouterOutputs["response"]["feed"];
/** A response, or a tombstone (`deleted: true`) telling a follower to drop an id. */
export type FeedItem = ResponseFeedPage["items"][number];
export type FeedTombstone = Extract<FeedItem, { deleted: true }>;
/** A feed item that is a response. */
export type FeedResponse = Exclude<FeedItem, FeedTombstone>;
export type JoinResult = RouterOutputs["participant"]["join"];
/** What anyone with a join code may see before joining. */
export type JoinPreview = RouterOutputs["participant"]["preview"];
export type NicknameAvailability = RouterOutputs["participant"]["nicknameAvailability"];
export type UserResponse = RouterOutputs["response"]["submit"];
/** draft -> active -> completed, for sessions and activities alike. */
export type LifecycleStatus = SessionStatus["status"];

/**
 * `activity.results` typed by the activity's type: `ActivityResults<"poll">["results"]` is a
 * poll's `{ options, total_voters }`. Without a type argument it is the union over the built-in
 * types (narrow it with `type`) plus any other type's generic result.
 */
export type ActivityResults<T extends string = BuiltInActivityTypeName> = T extends BuiltInActivityTypeName
  ? Omit<RouterOutputs["activity"]["results"], "type" | "results"> & { type: T; results: ResultsByType[T] }
  : Omit<RouterOutputs["activity"]["results"], "results"> & { results: GenericResult };

/**
 * `response.submit`'s input for an activity of type `T`: `SubmitInput<"poll">` takes a poll's
 * `{ selected_options }`, `SubmitInput<"qa">` a `{ question_text }`; any other type, any JSON.
 * With the plain client: `caja.response.submit.mutate(input satisfies SubmitInput<"poll">)`.
 */
export type SubmitInput<T extends string = string> = Omit<RouterInputs["response"]["submit"], "response_data"> & {
  response_data: T extends BuiltInActivityTypeName ? ResponseByType[T] : RouterInputs["response"]["submit"]["response_data"];
};
