import type { AnyRouter } from "@trpc/server";
import { generateOpenApiDocument, type OpenAPIObject } from "trpc-to-openapi";
import { createSchema } from "zod-openapi";
import { schemas } from "@caja/api";

export interface DocumentOptions {
  router: AnyRouter;
  version: string;
  /** Public base URL of the API, e.g. `http://localhost:3000/api`. */
  baseUrl: string;
}

type Operation = {
  security?: unknown[];
  responses?: Record<string, { description?: string; content?: Record<string, { schema: unknown }> }>;
};

const errorStatuses: Record<string, string> = {
  "400": "Invalid input (VALIDATION_ERROR)",
  "401": "Missing or invalid bearer token (UNAUTHORIZED)",
  "403": "The caller may not touch this resource (FORBIDDEN)",
  "404": "Not found (NOT_FOUND)",
  "409": "Conflict (CONFLICT, INVALID_TRANSITION, NICKNAME_TAKEN, SESSION_FULL, SESSION_CLOSED, ACTIVITY_NOT_ACTIVE)",
  "413": "Body too large (PAYLOAD_TOO_LARGE)",
  "429": "Rate limited (RATE_LIMITED); see Retry-After",
  "500": "Internal error (INTERNAL_ERROR)",
};

/**
 * The OpenAPI 3.1 document, generated from the procedures (paths, inputs,
 * outputs). Error responses are rewritten to the spec's error format, which is
 * what the REST adapter really sends.
 */
export function createOpenApiDocument({ router, version, baseUrl }: DocumentOptions): OpenAPIObject {
  const doc = generateOpenApiDocument(router, {
    title: "Caja API",
    description:
      "Live audience sessions: sessions, participants, activities of any type and their responses, plus cheap polling routes. " +
      "Every route takes `Authorization: Bearer <jwt>` except join. Errors are `{ error: { code, message, details } }`.",
    version,
    baseUrl,
    securitySchemes: { bearerAuth: { type: "http", scheme: "bearer", bearerFormat: "JWT" } },
  });
  // errorBody has an id, so createSchema answers a $ref to it and puts the definition in `components`.
  const { components: errorComponents } = createSchema(schemas.errorBody);
  doc.components = doc.components ?? {};
  type SchemaObject = NonNullable<typeof doc.components.schemas>[string];
  // trpc-to-openapi's `error.*` schemas describe the error responses replaced below: they go with them.
  const generated = Object.entries(doc.components.schemas ?? {}).filter(([name]) => !name.startsWith("error."));
  doc.components.schemas = { ...Object.fromEntries(generated), ...(errorComponents as Record<string, SchemaObject>) };
  const errorRef = { $ref: "#/components/schemas/Error" };

  for (const pathItem of Object.values(doc.paths ?? {})) {
    for (const [method, op] of Object.entries(pathItem as Record<string, Operation>)) {
      if (!op || typeof op !== "object" || !op.responses) continue;
      const isPublic = !Array.isArray(op.security) || op.security.length === 0;
      fixSuccessStatus(method, op);
      for (const status of Object.keys(op.responses)) {
        if (status.startsWith("4") || status.startsWith("5") || status === "default") delete op.responses[status];
      }
      for (const [status, description] of Object.entries(errorStatuses)) {
        if (isPublic && (status === "401" || status === "403")) continue;
        op.responses[status] = { description, content: { "application/json": { schema: errorRef } } };
      }
    }
  }
  return doc;
}

/** The adapter answers POST with 201, an empty DELETE with 204, and polls with ETag / 304. */
function fixSuccessStatus(method: string, op: Operation) {
  const responses = op.responses ?? {};
  const ok = responses["200"];
  if (!ok) return;
  if (method === "post") {
    delete responses["200"];
    responses["201"] = { ...ok, description: "Created" };
  } else if (method === "delete") {
    delete responses["200"];
    responses["204"] = { description: "Deleted" };
  } else if ((op as { tags?: string[] }).tags?.includes("Polling")) {
    responses["304"] = { description: "Not modified: the `If-None-Match` ETag still matches" };
  }
}
