export {
  defineActivityType,
  issueAt,
  moderationStatuses,
  responseModes,
  typeNamePattern,
  type ActivityType,
  type ActivityTypeSpec,
  type AnyActivityType,
  type ConfigInputOf,
  type ConfigOf,
  type CountedResponse,
  type ModerationStatus,
  type ResponseMode,
  type ResponseOf,
  type ResultOf,
  type StoredResponse,
} from "./define";
export {
  invalidConfigMessage,
  invalidResponseMessage,
  validationDetails,
  type FieldIssue,
  type IssuePath,
  type ResponseIssue,
  type Validation,
} from "./issues";
export {
  countsInResults,
  createActivityRegistry,
  defaultMaxResponsesPerParticipant,
  type ActivityRegistry,
  type RegistryOptions,
  type ResultOptions,
  type ScoredActivity,
} from "./registry";
export { rankParticipants, type ScoredAnswer } from "./leaderboard";
export {
  activityTypeInfo,
  leaderboardEntry,
  moderationStatus,
  responseMode,
  type ActivityTypeInfo,
  type LeaderboardEntry,
} from "./wire";
export { aggregateGeneric, genericResult, type GenericResult } from "./generic";
export { percentOf } from "./tally";
export { resultListLimits } from "./bounded";
export { displayWord, normalizeWord } from "./words";
export {
  builtInActivityTypes,
  openText,
  poll,
  qa,
  quiz,
  rating,
  wordCloud,
  type BuiltInActivityTypeName,
  type ConfigByType,
  type ConfigInputByType,
  type ResponseByType,
  type ResultsByType,
} from "./types";
export { pollConfig, pollResponse, pollResult } from "./types/poll";
export { wordCloudConfig, wordCloudResponse, wordCloudResult } from "./types/word-cloud";
export { ratingConfig, ratingResponse, ratingResult } from "./types/rating";
export { qaConfig, qaResponse, qaResult } from "./types/qa";
export { openTextConfig, openTextResponse, openTextResult } from "./types/open-text";
export { quizConfig, quizResponse, quizResult } from "./types/quiz";
