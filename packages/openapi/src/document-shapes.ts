/**
 * Rewrites of the JSON Schemas zod writes, so that generators read the
 * contract the spec means. Each one names the zod habit it undoes.
 */

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/** Keywords that describe a schema rather than constrain its value: they stay outside an `anyOf`. */
const annotations = ["title", "description", "default", "example", "examples", "deprecated", "readOnly", "writeOnly"];

function normalizeSchema(schema: Json): void {
  // `z.iso.datetime()` adds its own regex, stricter than `date-time` (RFC 3339): it refuses
  // the spec's own `2025-10-07T19:00:00Z`. The format says what the value is.
  if (schema.format === "date-time") delete schema.pattern;
  // zod bounds every `.int()` by +/-2^53; only the bounds we declare say anything.
  if (schema.type === "integer") {
    if (schema.minimum === Number.MIN_SAFE_INTEGER) delete schema.minimum;
    if (schema.maximum === Number.MAX_SAFE_INTEGER) delete schema.maximum;
  }
  // zod writes null two ways (`type: [T, "null"]` for plain types, `anyOf` with `{type: "null"}`
  // around a `$ref`): one way, `anyOf`, which also works around a reference.
  if (Array.isArray(schema.type) && schema.type.includes("null")) {
    const types = (schema.type as string[]).filter((t) => t !== "null");
    const value: Json = {};
    const outer: Json = {};
    for (const [key, v] of Object.entries(schema)) (annotations.includes(key) ? outer : value)[key] = v;
    value.type = types.length === 1 ? types[0] : types;
    for (const key of Object.keys(schema)) delete schema[key];
    Object.assign(schema, outer, { anyOf: [value, { type: "null" }] });
  }
}

/** Applies `normalizeSchema` to every schema object below `node`, deepest first. */
export function normalizeSchemas(node: unknown): void {
  if (Array.isArray(node)) {
    for (const item of node) normalizeSchemas(item);
    return;
  }
  if (!isObject(node)) return;
  for (const value of Object.values(node)) normalizeSchemas(value);
  if ("type" in node || "format" in node) normalizeSchema(node);
}

interface OperationLike {
  requestBody?: { content?: Record<string, { schema?: unknown }> };
}

/**
 * trpc-to-openapi writes each request body inline (its input without the path
 * parameters): a body whose input schema has a `title` becomes the component of
 * that name, so generated clients get `CreateActivityRequest` rather than
 * `ActivityCreateBody`.
 */
export function nameRequestBodies(operations: OperationLike[], components: Record<string, unknown>): void {
  for (const op of operations) {
    for (const media of Object.values(op.requestBody?.content ?? {})) {
      const schema = media.schema;
      if (!isObject(schema) || typeof schema.title !== "string") continue;
      const name = schema.title;
      if (name in components && JSON.stringify(components[name]) !== JSON.stringify(schema)) {
        throw new Error(`Two request bodies are named ${name}`);
      }
      components[name] = schema;
      media.schema = { $ref: `#/components/schemas/${name}` };
    }
  }
}
