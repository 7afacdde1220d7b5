import type { AnyRouter } from "@trpc/server";
import { generateOpenApiDocument, type OpenAPIObject, type OpenApiRouter } from "trpc-to-openapi";
import { createSchema } from "zod-openapi";
import { accessDescriptions, schemas } from "@caja/api";
import { errorCodesFor, errorResponses } from "./document-errors";
import { nameRequestBodies, normalizeSchemas } from "./document-shapes";
import { collectRoutes, type RestRoute } from "./rest-routes";

export interface DocumentOptions {
  router: AnyRouter;
  version: string;
  /** Where the REST adapter serves the procedures' paths, `/api`: written into each path, so the server is `/`. */
  basePath?: string;
}

interface Operation {
  operationId?: string;
  description?: string;
  summary?: string;
  security?: unknown[];
  deprecated?: boolean;
  "x-caja-access"?: string;
  parameters?: unknown[];
  requestBody?: { content?: Record<string, { schema?: unknown }> };
  responses?: Record<string, { description?: string; headers?: unknown; content?: Record<string, { schema: unknown }> }>;
}
type PathItem = Record<string, Operation>;

/**
 * The OpenAPI 3.1 document, generated from the procedures (paths, inputs,
 * outputs) and rewritten to what the REST adapter really answers: the spec's
 * full paths, its status codes, and per operation the errors it can send.
 */
export function createOpenApiDocument({ router, version, basePath = "/api" }: DocumentOptions): OpenAPIObject {
  // OpenApiRouter fixes meta to trpc-to-openapi's own type, which a router whose meta has required
  // fields (access) is not assignable to; the generator reads only the fields it defines.
  const doc = generateOpenApiDocument(router as OpenApiRouter, {
    title: "Caja API",
    description:
      "Live audience sessions: sessions, participants, activities of any type and their responses, plus cheap polling routes. " +
      "Every route takes `Authorization: Bearer <jwt>` except join. Errors are `{ error: { code, message, details } }`.",
    version,
    baseUrl: "/",
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  const generatedPaths = (doc.paths ?? {}) as Record<string, PathItem>;
  const routes = collectRoutes(router);
  const operations: Operation[] = [];

  for (const route of routes.filter((r) => !r.aliasOf)) {
    const op = generatedPaths[route.path]?.[route.method.toLowerCase()];
    if (!op) throw new Error(`${route.procedure}: ${route.method} ${route.path} is served but not documented`);
    describeOperation(route, op);
    operations.push(op);
  }
  for (const alias of routes.filter((r) => r.aliasOf)) {
    const method = alias.method.toLowerCase();
    const documented = generatedPaths[alias.aliasOf as string]?.[method] as Operation;
    const copy: Operation = structuredClone(documented);
    copy.operationId = `${documented.operationId}-v1`;
    copy.deprecated = true;
    copy.description =
      `Deprecated alias of \`${alias.method} ${basePath}${alias.aliasOf}\`, answered the same way, for clients ` +
      `generated from the seed backend's document. ${documented.description ?? ""}`.trim();
    generatedPaths[alias.path] = { ...generatedPaths[alias.path], [method]: copy };
    operations.push(copy);
  }

  doc.paths = Object.fromEntries(Object.entries(generatedPaths).map(([path, item]) => [basePath + path, item]));

  // Our error schema replaces trpc-to-openapi's `error.*` ones, which describe tRPC's own format.
  type SchemaObject = NonNullable<NonNullable<typeof doc.components>["schemas"]>[string];
  const { components: errorComponents } = createSchema(schemas.errorBody);
  const generated = Object.entries(doc.components?.schemas ?? {}).filter(([name]) => !name.startsWith("error."));
  const componentSchemas: Record<string, SchemaObject> = {
    ...Object.fromEntries(generated),
    ...(errorComponents as Record<string, SchemaObject>),
  };
  nameRequestBodies(operations, componentSchemas);
  doc.components = { ...doc.components, schemas: componentSchemas };
  normalizeSchemas(doc.paths);
  normalizeSchemas(doc.components.schemas);
  return doc;
}

/** A procedure whose output is `z.void()` gets an empty schema: the adapter answers it with no body. */
function answersBody(ok: NonNullable<Operation["responses"]>[string]): boolean {
  const schema = ok.content?.["application/json"]?.schema;
  return typeof schema === "object" && schema !== null && Object.keys(schema).length > 0;
}

/** Access rule, success status, errors and security as the REST adapter answers them. */
function describeOperation(route: RestRoute, op: Operation): void {
  const { access } = route.meta;
  const needsToken = access !== "public";
  op["x-caja-access"] = access;
  op.description = [op.description, `**Access (\`${access}\`):** ${accessDescriptions[access]}`].filter(Boolean).join("\n\n");
  const ok = op.responses?.["200"];
  const responses: NonNullable<Operation["responses"]> = {};
  if (ok && route.method === "POST" && route.meta.okStatus !== 200) responses["201"] = { ...ok, description: "Created" };
  else if (ok && route.method === "DELETE" && !answersBody(ok)) responses["204"] = { description: ok.description ?? "Deleted" };
  else if (ok) responses["200"] = ok;
  if (route.meta.produces && responses["200"]) responses["200"] = fileResponse(route.meta.produces);
  if (route.poll && responses["200"]) {
    responses["200"].headers = {
      ETag: { description: "Weak validator of this answer: send it back as `If-None-Match`", schema: { type: "string" } },
    };
    // Not an error: the answer to a poll that sent the current ETag in If-None-Match.
    responses["304"] = { description: "Not modified: the `If-None-Match` ETag still matches (no body)" };
    op.parameters = [
      ...(op.parameters ?? []),
      {
        in: "header",
        name: "If-None-Match",
        required: false,
        description: "The `ETag` of the last answer: 304 with no body while it is still current",
        schema: { type: "string" },
      },
    ];
  }
  const shape = {
    hasInput: (op.parameters?.length ?? 0) > 0 || op.requestBody !== undefined,
    // The adapter reads a body for every method but GET and DELETE.
    hasBody: route.method !== "GET" && route.method !== "DELETE",
    needsToken,
  };
  Object.assign(responses, errorResponses(errorCodesFor(route, shape)));
  op.responses = responses;
  op.security = needsToken ? op.security : [];
}

/** The answer of a route that streams a file (`meta.produces`) rather than the procedure's JSON. */
function fileResponse(mediaType: string): NonNullable<Operation["responses"]>[string] {
  return {
    description: `The file, streamed (${mediaType}; charset=utf-8), with a header row`,
    headers: {
      "Content-Disposition": {
        description: 'Offered as a download: `attachment; filename="..."`',
        schema: { type: "string" },
      },
    },
    content: { [mediaType]: { schema: { type: "string" } } },
  };
}
