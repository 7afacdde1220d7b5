import { appRouter } from "@caja/api";
import { createOpenApiDocument } from "@caja/openapi";
import { VERSION } from "./version";

/** Where the REST adapter serves the spec's paths. */
export const REST_BASE_PATH = "/api";

/** The document `GET /openapi.json` serves; `pnpm lint:openapi` and the generator test read the same. */
export function openApiDocument() {
  return createOpenApiDocument({ router: appRouter, version: VERSION, basePath: REST_BASE_PATH });
}
