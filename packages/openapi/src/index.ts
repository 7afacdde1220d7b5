export {
  createRestHandler,
  readBody,
  sendError,
  type RestHandlerOptions,
  type Producer,
  type ProducedType,
} from "./rest-handler";
export { collectRoutes, matchRoute, legacyPollPrefix, type RestRoute } from "./rest-routes";
export { createOpenApiDocument, type DocumentOptions } from "./document";
export { etagOf, matchesIfNoneMatch } from "./etag";
export { KeptAnswers, type KeptAnswersOptions } from "./kept-answers";
export { createTrpcGetHandler, type TrpcGetHandlerOptions } from "./trpc-get";
export { invokeProcedure, proceduresOf, spreadPatchStatus } from "./trpc-internals";
export { noteErrorCode, notedErrorCode, notedRoute } from "./request-notes";
