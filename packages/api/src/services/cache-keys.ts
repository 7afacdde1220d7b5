/** Keys of the polling cache; every write names the keys it makes stale. */
export const cacheKeys = {
  sessionStatus: (sessionId: number) => `s:${sessionId}:status`,
  activityStatus: (activityId: string) => `a:${activityId}:status`,
  feedHead: (activityId: string) => `a:${activityId}:feed`,
};
