/** Keys of the polling cache; every write names the keys it makes stale. */
export const cacheKeys = {
  /** v2: carries seatsRevision, which the seat check relies on (older instances cache another shape under the old key). */
  sessionStatus: (sessionId: number) => `s:${sessionId}:status:2`,
  /** v2: carries what participants see of a moderated activity's counts (older instances cache another shape under the old key). */
  activityStatus: (activityId: string) => `a:${activityId}:status:2`,
  /** What a submission is validated against (type, config, mode, cap); the submit statement re-checks it. */
  activityDefinition: (activityId: string) => `a:${activityId}:definition`,
  /** Results of the results route (both the owner's and the participants' variants). */
  activityResults: (activityId: string) => `a:${activityId}:results`,
  /** The session's quiz leaderboard. v2: the participants' view is `participants` (shown quizzes), no longer `completed`. */
  leaderboard: (sessionId: number) => `s:${sessionId}:leaderboard:2`,
  /** The public preview by join code (codes never change, so every write to a session can name it). */
  joinPreview: (joinCode: string) => `j:${joinCode}:preview`,
  /** v3: the head carries the newest committed (updated_at, id) (older instances cache other shapes under older keys). */
  feedHead: (activityId: string) => `a:${activityId}:feed-head:3`,
};

/** What a change to an activity (config, reveal, status, removal) makes stale beyond its status: its results and the session's leaderboard. */
export const resultKeys = (activityId: string, sessionId: number) => [
  cacheKeys.activityResults(activityId),
  cacheKeys.leaderboard(sessionId),
];

/** What a written response makes stale (submit, vote, moderation, deletion): the activity's counts, feed head, results and the leaderboard. */
export const responseKeys = (activityId: string, sessionId: number) => [
  cacheKeys.activityStatus(activityId),
  cacheKeys.feedHead(activityId),
  ...resultKeys(activityId, sessionId),
];
