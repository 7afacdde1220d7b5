export { createRestHandler, sendError, type RestHandlerOptions } from "./handler";
export { createOpenApiDocument, type DocumentOptions } from "./document";
export { collectRoutes, matchRoute, type RestRoute } from "./routes";
export { etagOf, matchesIfNoneMatch } from "./etag";
export { createTrpcGetHandler, type TrpcGetHandlerOptions } from "./trpc-get";
export { invokeProcedure } from "./invoke";
