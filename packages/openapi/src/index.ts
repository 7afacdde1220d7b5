export { createRestHandler, sendError, type RestHandlerOptions, type Producer, type ProducedType } from "./rest-handler";
export { collectRoutes, matchRoute, legacyPollPrefix, type RestRoute } from "./rest-routes";
export { createOpenApiDocument, type DocumentOptions } from "./document";
export { etagOf, matchesIfNoneMatch } from "./etag";
export { KeptAnswers, type KeptAnswersOptions } from "./kept-answers";
export { createTrpcGetHandler, type TrpcGetHandlerOptions } from "./trpc-get";
export { batchAnswerBytes, type BatchBudget } from "./batch-budget";
export { invokeProcedure, proceduresOf, spreadPatchStatus } from "./trpc-internals";
export { noteErrorCode, noteRoute, notedErrorCode, notedRoute } from "./request-notes";
