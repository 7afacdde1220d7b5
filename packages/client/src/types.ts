// Types only: the SDK never imports server code at run time (test/dist.test.ts checks the build).
import type { AppRouter, RouterInputs, RouterOutputs } from "@caja/api";

export type { AppRouter, RouterInputs, RouterOutputs };

export type SessionStatus = RouterOutputs["session"]["status"];
export type ActivityStatus = RouterOutputs["activity"]["status"];
export type ResponseFeedPage = RouterOutputs["response"]["feed"];
export type FeedItem = ResponseFeedPage["items"][number];
export type JoinResult = RouterOutputs["participant"]["join"];
export type UserResponse = RouterOutputs["response"]["submit"];
/** draft -> active -> completed, for sessions and activities alike. */
export type LifecycleStatus = SessionStatus["status"];
