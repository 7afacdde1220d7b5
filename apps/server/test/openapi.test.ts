import { accessDescriptions, type AccessRule } from "@caja/api";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";
import { rawRequest } from "./raw-http";

interface Operation {
  "x-caja-access"?: string;
  description?: string;
  deprecated?: boolean;
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses?: Record<
    string,
    { description?: string; headers?: Record<string, unknown>; content?: Record<string, { schema?: Record<string, unknown> }> }
  >;
}
interface OpenApiDoc {
  openapi: string;
  info: { title: string; version: string };
  servers?: Array<{ url: string }>;
  paths: Record<string, Record<string, Operation>>;
  components: {
    schemas: Record<string, { properties?: Record<string, unknown>; required?: string[] }>;
    securitySchemes: Record<string, Record<string, unknown>>;
  };
}

/** Every REST route, as the spec writes it, with what the document must say about it. */
const routes: Array<{
  method: string;
  path: string;
  success: string;
  schema?: string;
  /** A route answering a file of this media type instead of JSON. */
  file?: string;
  body?: string[];
  /** The component the request body refers to. */
  bodyName?: string;
  query?: string[];
  public?: true;
  poll?: true;
  /** Error statuses beyond those its token, path ids and body imply. */
  domain?: string[];
  /** On an alias: the documented path. */
  documented?: string;
}> = [
  {
    method: "post",
    path: "/api/v1/sessions",
    success: "201",
    schema: "Session",
    body: ["title"],
    bodyName: "CreateSessionRequest",
  },
  { method: "get", path: "/api/v1/sessions", success: "200", schema: "SessionPage", query: ["limit", "offset"] },
  { method: "get", path: "/api/v1/sessions/{session_id}", success: "200", schema: "Session" },
  {
    method: "put",
    path: "/api/v1/sessions/{session_id}",
    success: "200",
    schema: "Session",
    body: [],
    bodyName: "UpdateSessionRequest",
  },
  { method: "delete", path: "/api/v1/sessions/{session_id}", success: "204" },
  {
    method: "patch",
    path: "/api/v1/sessions/{session_id}/status",
    success: "200",
    schema: "Session",
    body: ["status"],
    bodyName: "UpdateSessionStatusRequest",
    domain: ["409"],
  },
  {
    method: "post",
    path: "/api/v1/sessions/join",
    success: "201",
    schema: "JoinResult",
    body: ["join_code", "nickname"],
    bodyName: "JoinSessionRequest",
    public: true,
    domain: ["404", "409"],
  },
  { method: "get", path: "/api/v1/join/{join_code}", success: "200", schema: "JoinPreview", public: true },
  {
    method: "get",
    path: "/api/v1/join/{join_code}/nickname",
    success: "200",
    schema: "NicknameAvailability",
    query: ["nickname"],
    public: true,
  },
  {
    method: "get",
    path: "/api/v1/sessions/{session_id}/participants",
    success: "200",
    schema: "ParticipantList",
    query: ["limit", "offset"],
  },
  { method: "delete", path: "/api/v1/sessions/{session_id}/participants/{participant_id}", success: "204" },
  { method: "delete", path: "/api/v1/sessions/{session_id}/participants/me", success: "204" },
  {
    method: "post",
    path: "/api/v1/sessions/{session_id}/activities",
    success: "201",
    schema: "Activity",
    body: ["type"],
    bodyName: "CreateActivityRequest",
    domain: ["409"],
  },
  {
    method: "get",
    path: "/api/v1/sessions/{session_id}/activities",
    success: "200",
    schema: "ActivityPage",
    query: ["limit", "offset"],
  },
  { method: "get", path: "/api/v1/sessions/{session_id}/activities/{activity_id}", success: "200", schema: "Activity" },
  {
    method: "put",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}",
    success: "200",
    schema: "Activity",
    body: [],
    bodyName: "UpdateActivityRequest",
  },
  { method: "delete", path: "/api/v1/sessions/{session_id}/activities/{activity_id}", success: "204" },
  {
    method: "patch",
    path: "/api/v1/activities/{activity_id}/status",
    success: "200",
    schema: "Activity",
    body: ["status"],
    bodyName: "UpdateActivityStatusRequest",
    domain: ["409"],
  },
  {
    method: "post",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses",
    success: "201",
    schema: "UserResponse",
    body: ["response_data"],
    bodyName: "SubmitResponseRequest",
    // 422: an Idempotency-Key reused with another body.
    domain: ["409", "422"],
  },
  {
    method: "get",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses",
    success: "200",
    schema: "UserResponsePage",
    query: ["limit", "offset"],
  },
  {
    method: "get",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/results/export",
    success: "200",
    file: "text/csv",
    query: ["format"],
  },
  { method: "get", path: "/api/v1/sessions/{session_id}/export", success: "200", file: "text/csv", query: ["format"] },
  { method: "get", path: "/api/sessions/{session_id}/status", success: "200", schema: "SessionStatusResponse", poll: true },
  {
    method: "get",
    path: "/api/sessions/{session_id}/activities/{activity_id}/status",
    success: "200",
    schema: "ActivityStatusResponse",
    poll: true,
  },
  {
    method: "get",
    path: "/api/sessions/{session_id}/activities/{activity_id}/responses/since/{timestamp}",
    success: "200",
    schema: "IncrementalResponseList",
    poll: true,
  },
  {
    method: "get",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/results",
    success: "200",
    schema: "ActivityResults",
    poll: true,
  },
  { method: "get", path: "/api/v1/sessions/{session_id}/leaderboard", success: "200", schema: "Leaderboard", poll: true },
  { method: "get", path: "/api/v1/activity-types", success: "200", schema: "ActivityTypeList", public: true },
  {
    method: "patch",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/moderation",
    success: "200",
    schema: "UserResponse",
    body: ["status"],
    bodyName: "ModerateResponseRequest",
  },
  { method: "delete", path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}", success: "204" },
  {
    method: "post",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/votes",
    success: "200",
    schema: "VoteState",
    domain: ["409"],
  },
  {
    method: "delete",
    path: "/api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/votes",
    success: "200",
    schema: "VoteState",
    domain: ["409"],
  },
];

/** The seed backend's paths for its three polls (those outside /v1): answered too, documented as deprecated. */
const pollAliases = routes
  .filter((r) => r.poll && !r.path.startsWith("/api/v1/"))
  .map((r) => ({ ...r, path: r.path.replace(/^\/api\//, "/api/v1/"), documented: r.path }));

/** Who may call each route, as the README's API table says. */
const access: Record<string, AccessRule> = {
  "post /api/v1/sessions": "admin",
  "get /api/v1/sessions": "admin",
  "get /api/v1/sessions/{session_id}": "member",
  "put /api/v1/sessions/{session_id}": "owner",
  "delete /api/v1/sessions/{session_id}": "owner",
  "patch /api/v1/sessions/{session_id}/status": "owner",
  "post /api/v1/sessions/join": "public",
  "get /api/v1/join/{join_code}": "public",
  "get /api/v1/join/{join_code}/nickname": "public",
  "get /api/v1/sessions/{session_id}/participants": "member",
  "delete /api/v1/sessions/{session_id}/participants/{participant_id}": "owner",
  "delete /api/v1/sessions/{session_id}/participants/me": "participant",
  "post /api/v1/sessions/{session_id}/activities": "owner",
  "get /api/v1/sessions/{session_id}/activities": "member",
  "get /api/v1/sessions/{session_id}/activities/{activity_id}": "member",
  "put /api/v1/sessions/{session_id}/activities/{activity_id}": "owner",
  "delete /api/v1/sessions/{session_id}/activities/{activity_id}": "owner",
  "patch /api/v1/activities/{activity_id}/status": "owner",
  "post /api/v1/sessions/{session_id}/activities/{activity_id}/responses": "participant",
  "get /api/v1/sessions/{session_id}/activities/{activity_id}/responses": "member",
  "get /api/v1/sessions/{session_id}/activities/{activity_id}/results/export": "owner",
  "get /api/v1/sessions/{session_id}/export": "owner",
  "get /api/sessions/{session_id}/status": "member",
  "get /api/sessions/{session_id}/activities/{activity_id}/status": "member",
  "get /api/sessions/{session_id}/activities/{activity_id}/responses/since/{timestamp}": "member",
  "get /api/v1/sessions/{session_id}/activities/{activity_id}/results": "member",
  "get /api/v1/sessions/{session_id}/leaderboard": "member",
  "get /api/v1/activity-types": "public",
  "patch /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/moderation": "owner",
  "delete /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}": "owner",
  "post /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/votes": "participant",
  "delete /api/v1/sessions/{session_id}/activities/{activity_id}/responses/{response_id}/votes": "participant",
};

let server: TestServer;
let doc: OpenApiDoc;

beforeAll(async () => {
  server = await startTestServer();
  const res = await fetch(`${server.url}/openapi.json`);
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^application\/json/);
  doc = (await res.json()) as OpenApiDoc;
});
afterAll(async () => server?.stop());

const ERROR_REF = "#/components/schemas/ErrorResponse";

describe("GET /openapi.json", () => {
  it("is OpenAPI 3.1 with full /api paths under the server `/` and a bearer JWT scheme", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: "Caja API", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(doc.servers).toEqual([{ url: "/" }]);
    for (const path of Object.keys(doc.paths)) expect(path).toMatch(/^\/api\//);
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  });

  it("documents exactly the spec's routes and the deprecated polling aliases", () => {
    const documented = Object.entries(doc.paths).flatMap(([path, item]) => Object.keys(item).map((m) => `${m} ${path}`));
    expect(documented.sort()).toEqual([...routes, ...pollAliases].map((r) => `${r.method} ${r.path}`).sort());
  });

  describe.each([...routes, ...pollAliases].map((r) => [`${r.method.toUpperCase()} ${r.path}`, r] as const))("%s", (_, route) => {
    const op = (): Operation => {
      const found = doc.paths[route.path]?.[route.method];
      if (!found) throw new Error(`not documented: ${route.method} ${route.path}`);
      return found;
    };

    it("declares every path parameter, required", () => {
      const expected = [...route.path.matchAll(/\{(\w+)\}/g)].map((m) => m[1]);
      const declared = (op().parameters ?? []).filter((p) => p.in === "path");
      expect(declared.map((p) => p.name).sort()).toEqual([...expected].sort());
      for (const p of declared) expect([p.name, p.required, typeof p.schema]).toEqual([p.name, true, "object"]);
      for (const name of route.query ?? []) {
        expect(
          (op().parameters ?? []).some((p) => p.in === "query" && p.name === name),
          `query ${name}`,
        ).toBe(true);
      }
    });

    it("documents the JSON request body as a named component, when it takes one", () => {
      const ref = op().requestBody?.content?.["application/json"]?.schema;
      if (!route.body) {
        expect(op().requestBody).toBeUndefined();
        return;
      }
      expect(ref).toEqual({ $ref: `#/components/schemas/${route.bodyName}` });
      const schema = doc.components.schemas[route.bodyName as string] as Record<string, unknown> | undefined;
      expect(schema?.type).toBe("object");
      expect(Object.keys(schema?.properties ?? {})).toEqual(expect.arrayContaining(route.body));
      expect(Array.isArray(schema?.required) ? schema.required : []).toEqual(expect.arrayContaining(route.body));
    });

    it("documents the success status and its schema", () => {
      const responses = op().responses ?? {};
      const ok = responses[route.success];
      expect(ok, `${route.success} response`).toBeDefined();
      if (route.schema)
        expect(ok?.content?.["application/json"]?.schema).toEqual({ $ref: `#/components/schemas/${route.schema}` });
      else if (route.file) {
        expect(Object.keys(ok?.content ?? {})).toEqual([route.file]);
        expect(Object.keys(ok?.headers ?? {})).toEqual(["Content-Disposition"]);
      } else expect(ok?.content).toBeUndefined();
      for (const other of ["200", "201", "204"].filter((s) => s !== route.success)) expect(responses[other]).toBeUndefined();
    });

    it("shows its access rule as x-caja-access and in its description", () => {
      const rule = access[`${route.method} ${route.documented ?? route.path}`];
      expect(op()["x-caja-access"]).toBe(rule);
      expect(op().description).toContain(accessDescriptions[rule as AccessRule]);
    });

    it(route.public ? "needs no token (security: [])" : "requires the bearer token", () => {
      if (route.public) expect(op().security).toEqual([]);
      else expect(op().security).toEqual([{ bearerAuth: [] }]);
    });

    it("lists exactly the errors it can answer, in the ErrorResponse format", () => {
      const responses = op().responses ?? {};
      const hasInput = (op().parameters ?? []).length > 0 || route.body !== undefined;
      const expected = new Set(["429", "500", "503", ...(route.domain ?? [])]);
      if (hasInput) expected.add("400");
      if (!route.public) ["401", "403"].forEach((s) => expected.add(s));
      if (route.path.includes("{")) expected.add("404");
      if (["post", "put", "patch"].includes(route.method)) ["413", "415"].forEach((s) => expected.add(s));
      const errors = Object.keys(responses).filter((s) => /^[45]/.test(s));
      expect(errors.sort()).toEqual([...expected].sort());
      for (const status of errors) {
        expect(responses[status]?.content?.["application/json"]?.schema, status).toEqual({ $ref: ERROR_REF });
      }
      for (const status of ["429", "503"]) expect(Object.keys(responses[status]?.headers ?? {})).toContain("Retry-After");
    });

    it(route.poll ? "documents 304 as a bodiless answer, not an error" : "has no 304", () => {
      const notModified = op().responses?.["304"];
      if (!route.poll) return expect(notModified).toBeUndefined();
      expect(notModified?.description).toMatch(/If-None-Match/);
      expect(notModified?.content).toBeUndefined();
      expect(Object.keys(op().responses?.["200"]?.headers ?? {})).toEqual(["ETag"]);
      expect(op().parameters).toContainEqual(expect.objectContaining({ in: "header", name: "If-None-Match", required: false }));
    });

    const alias = route.documented !== undefined;
    it(alias ? "is a deprecated alias of the /api path" : "is not deprecated", () => {
      expect(op().deprecated ?? false).toBe(alias);
      if (alias) expect(op().description).toContain(`GET ${route.documented}`);
    });
  });

  it("every documented operation is served by the REST adapter", async () => {
    const samples: Record<string, string> = {
      "{activity_id}": "00000000-0000-4000-8000-000000000000",
      "{timestamp}": "2000-01-01T00:00:00Z",
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        const res = await fetch(`${server.url}${path.replace(/\{\w+\}/g, (p) => samples[p] ?? "1")}`, {
          method: method.toUpperCase(),
        });
        // Without a token every route but the public ones refuses with 401; join answers 400 for an empty body,
        // the nickname check for a missing nickname, the preview 404 for an unknown code.
        const publicAnswers: Record<string, number> = {
          "/api/v1/sessions/join": 400,
          "/api/v1/join/{join_code}/nickname": 400,
          "/api/v1/join/{join_code}": 404,
          "/api/v1/activity-types": 200,
        };
        const expected = publicAnswers[path] ?? 401;
        expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, expected]);
      }
    }
  });

  it("describes the wire shapes field for field", () => {
    const props = (name: string) => Object.keys(doc.components.schemas[name]?.properties ?? {}).sort();
    expect(props("Session")).toEqual([...keys.session].sort());
    expect(props("Activity")).toEqual([...keys.activity].sort());
    expect(props("Participant")).toEqual([...keys.participant].sort());
    expect(props("UserResponse")).toEqual([...keys.response].sort());
    expect(props("JoinResult")).toEqual([...keys.join].sort());
    for (const page of ["SessionPage", "ActivityPage", "ParticipantPage", "LobbyPage", "UserResponsePage"])
      expect(props(page)).toEqual([...keys.page].sort());
  });

  describe("as generators read it", () => {
    /** Every schema object in the document, with where it is. */
    const schemaNodes = () => {
      const out: Array<{ at: string; node: Record<string, unknown> }> = [];
      const walk = (value: unknown, at: string) => {
        if (Array.isArray(value)) return value.forEach((v, i) => walk(v, `${at}/${i}`));
        if (typeof value !== "object" || value === null) return;
        const node = value as Record<string, unknown>;
        if ("type" in node || "anyOf" in node || "$ref" in node) out.push({ at, node });
        for (const [k, v] of Object.entries(node)) walk(v, `${at}/${k}`);
      };
      walk(doc, "#");
      return out;
    };

    it("names the polling snapshots after the spec's models", () => {
      for (const name of ["SessionStatusResponse", "ActivityStatusResponse", "IncrementalResponseList", "ErrorResponse"])
        expect(doc.components.schemas[name], name).toBeDefined();
      expect(doc.components.schemas.Error).toBeUndefined();
    });

    it("writes the session and activity lifecycles as two shared enum components, never inline", () => {
      for (const name of ["SessionStatus", "ActivityStatus"])
        expect(doc.components.schemas[name]).toMatchObject({ type: "string", enum: ["draft", "active", "completed"] });
      const inline = schemaNodes().filter(({ node }) => Array.isArray(node.enum) && (node.enum as unknown[]).includes("draft"));
      expect(inline.map(({ at }) => at).sort()).toEqual([
        "#/components/schemas/ActivityStatus",
        "#/components/schemas/SessionStatus",
      ]);
      const refs = (name: string) => JSON.stringify(doc.components.schemas[name]);
      expect(refs("Session")).toContain('"$ref":"#/components/schemas/SessionStatus"');
      expect(refs("SessionStatusResponse")).toContain('"$ref":"#/components/schemas/SessionStatus"');
      expect(refs("Activity")).toContain('"$ref":"#/components/schemas/ActivityStatus"');
      expect(refs("ActivityStatusResponse")).toContain('"$ref":"#/components/schemas/ActivityStatus"');
    });

    it("bounds ids and counts from below and never by +/-2^53", () => {
      const props = (name: string) => doc.components.schemas[name]?.properties as Record<string, Record<string, unknown>>;
      expect(props("Session").id).toMatchObject({ type: "integer", minimum: 1 });
      expect(props("Session").participant_count).toMatchObject({ type: "integer", minimum: 0 });
      expect(props("SessionStatusResponse").session_id).toMatchObject({ type: "integer", minimum: 1 });
      expect(props("ActivityStatusResponse").response_count).toMatchObject({ type: "integer", minimum: 0 });
      expect(props("IncrementalResponseList").count).toMatchObject({ type: "integer", minimum: 0 });
      for (const page of ["SessionPage", "ParticipantPage", "LobbyPage", "ActivityPage", "UserResponsePage"])
        expect(props(page).limit, page).toMatchObject({ type: "integer", minimum: 1, maximum: 100 });
      for (const { at, node } of schemaNodes().filter(({ node }) => node.type === "integer")) {
        expect(node.minimum, at).toBeGreaterThanOrEqual(0);
        expect(node.maximum ?? 0, at).toBeLessThan(2 ** 53 - 1);
      }
    });

    it("describes timestamps by format alone, so the spec's example values are valid", () => {
      const timestamps = schemaNodes().filter(({ node }) => node.format === "date-time");
      expect(timestamps.length).toBeGreaterThan(10);
      for (const { at, node } of timestamps) expect(node.pattern, at).toBeUndefined();
    });

    it("writes null one way: anyOf with { type: null }", () => {
      const nodes = schemaNodes();
      for (const { at, node } of nodes) expect(Array.isArray(node.type), at).toBe(false);
      const nullable = nodes.filter(({ node }) => JSON.stringify(node.anyOf ?? []).includes('{"type":"null"}'));
      expect(nullable.map(({ at }) => at)).toEqual(
        expect.arrayContaining([
          "#/components/schemas/Session/properties/description",
          "#/components/schemas/Session/properties/current_activity_id",
          "#/components/schemas/ActivityStatusResponse/properties/last_response_at",
        ]),
      );
    });
  });

  it("defines ErrorResponse as { error: { code, message, details } } with the codes the API sends", () => {
    const error = doc.components.schemas.ErrorResponse;
    expect(Object.keys(error?.properties ?? {})).toEqual(["error"]);
    const inner = JSON.stringify(error);
    for (const code of [
      "VALIDATION_ERROR",
      "UNAUTHORIZED",
      "FORBIDDEN",
      "NOT_FOUND",
      "INVALID_TRANSITION",
      "NICKNAME_TAKEN",
      "SESSION_FULL",
      "SESSION_CLOSED",
      "ACTIVITY_NOT_ACTIVE",
      "PAYLOAD_TOO_LARGE",
    ]) {
      expect(inner).toContain(`"${code}"`);
    }
    expect(inner).toMatch(/"message"/);
    expect(inner).toMatch(/"details"/);
  });

  it("has no dangling $ref and no component that nothing uses", () => {
    const refsIn = (value: unknown) =>
      new Set([...JSON.stringify(value).matchAll(/"\$ref":"#\/components\/schemas\/([^"]+)"/g)].map((m) => m[1] ?? ""));
    const used = refsIn(doc.paths);
    // Components may reference each other (a page references its item).
    const pending = [...used];
    for (let name = pending.pop(); name !== undefined; name = pending.pop()) {
      for (const inner of refsIn(doc.components.schemas[name])) {
        if (used.has(inner)) continue;
        used.add(inner);
        pending.push(inner);
      }
    }
    for (const name of refsIn(doc)) expect(doc.components.schemas[name], name).toBeDefined();
    expect(Object.keys(doc.components.schemas).sort()).toEqual([...used].sort());
  });
});

describe("GET /docs", () => {
  it("serves HTML whose scripts and styles all come from this server", async () => {
    const res = await fetch(`${server.url}/docs`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(html).not.toMatch(/https?:\/\/|["']\/\//);
    const assets = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1] ?? "");
    expect(assets.filter((a) => a.endsWith(".js")).length).toBeGreaterThanOrEqual(2);
    expect(assets.filter((a) => a.endsWith(".css")).length).toBeGreaterThanOrEqual(1);
    for (const asset of assets) {
      expect(asset.startsWith("/")).toBe(true);
      const file = await fetch(`${server.url}${asset}`);
      expect([asset, file.status]).toEqual([asset, 200]);
      const type = file.headers.get("content-type") ?? "";
      if (asset.endsWith(".js")) expect(type).toMatch(/javascript/);
      if (asset.endsWith(".css")) expect(type).toMatch(/text\/css/);
      expect((await file.arrayBuffer()).byteLength).toBeGreaterThan(0);
    }
  });

  it("points Swagger UI at /openapi.json", async () => {
    const html = await (await fetch(`${server.url}/docs`)).text();
    const scripts = await Promise.all(
      [...html.matchAll(/src="([^"]+)"/g)].map(async (m) => (await fetch(`${server.url}${m[1] ?? ""}`)).text()),
    );
    expect(scripts.some((js) => js.includes('"/openapi.json"'))).toBe(true);
  });

  it("404 for a file it does not have", async () => {
    expect((await fetch(`${server.url}/docs/nothing.js`)).status).toBe(404);
  });

  it("404s a path that climbs out of the docs, sent as written (fetch would resolve the dots before sending)", async () => {
    for (const path of [
      "/docs/../../../../../../../../../../../../etc/passwd",
      "/docs/swagger-ui.css/../../../../../../../../../../../../etc/passwd",
      "/docs/..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2f..%2fetc%2fpasswd",
    ]) {
      const res = await rawRequest(server.url, "GET", path);
      expect(res.status, path).toBe(404);
      // The docs handler's own refusal: the request did reach it, with its dots.
      expect(JSON.parse(res.text), path).toEqual({
        error: {
          code: "NOT_FOUND",
          message: expect.stringMatching(/^No such file: \/docs\/.*\.\./),
          details: expect.any(Object),
        },
      });
      expect(res.text).not.toContain("root:");
    }
  });
});

describe("GET /health and GET /ready", () => {
  it("/health: 200 with the version", async () => {
    const res = await fetch(`${server.url}/health`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ok", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  });

  it("/ready: 200 once the database answers", async () => {
    const res = await fetch(`${server.url}/ready`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ status: "ready" });
  });
});
