import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { keys } from "./fixtures";
import { startTestServer, type TestServer } from "./harness";

interface Operation {
  security?: Array<Record<string, unknown>>;
  parameters?: Array<{ in: string; name: string; required?: boolean; schema?: unknown }>;
  requestBody?: { content?: Record<string, { schema?: Record<string, unknown> }> };
  responses?: Record<string, { description?: string; content?: Record<string, { schema?: Record<string, unknown> }> }>;
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
  body?: string[];
  query?: string[];
  public?: true;
}> = [
  { method: "post", path: "/v1/sessions", success: "201", schema: "Session", body: ["title"] },
  { method: "get", path: "/v1/sessions", success: "200", schema: "SessionPage", query: ["limit", "offset"] },
  { method: "get", path: "/v1/sessions/{session_id}", success: "200", schema: "Session" },
  { method: "put", path: "/v1/sessions/{session_id}", success: "200", schema: "Session", body: [] },
  { method: "delete", path: "/v1/sessions/{session_id}", success: "204" },
  { method: "patch", path: "/v1/sessions/{session_id}/status", success: "200", schema: "Session", body: ["status"] },
  {
    method: "post",
    path: "/v1/sessions/join",
    success: "201",
    schema: "JoinResult",
    body: ["join_code", "nickname"],
    public: true,
  },
  {
    method: "get",
    path: "/v1/sessions/{session_id}/participants",
    success: "200",
    schema: "ParticipantPage",
    query: ["limit", "offset"],
  },
  { method: "post", path: "/v1/sessions/{session_id}/activities", success: "201", schema: "Activity", body: ["type", "title"] },
  {
    method: "get",
    path: "/v1/sessions/{session_id}/activities",
    success: "200",
    schema: "ActivityPage",
    query: ["limit", "offset"],
  },
  { method: "get", path: "/v1/sessions/{session_id}/activities/{activity_id}", success: "200", schema: "Activity" },
  { method: "put", path: "/v1/sessions/{session_id}/activities/{activity_id}", success: "200", schema: "Activity", body: [] },
  { method: "delete", path: "/v1/sessions/{session_id}/activities/{activity_id}", success: "204" },
  { method: "patch", path: "/v1/activities/{activity_id}/status", success: "200", schema: "Activity", body: ["status"] },
  {
    method: "post",
    path: "/v1/sessions/{session_id}/activities/{activity_id}/responses",
    success: "201",
    schema: "UserResponse",
    body: ["response_data"],
  },
  {
    method: "get",
    path: "/v1/sessions/{session_id}/activities/{activity_id}/responses",
    success: "200",
    schema: "UserResponsePage",
    query: ["limit", "offset"],
  },
  { method: "get", path: "/sessions/{session_id}/status", success: "200", schema: "SessionStatus" },
  { method: "get", path: "/sessions/{session_id}/activities/{activity_id}/status", success: "200", schema: "ActivityStatus" },
  {
    method: "get",
    path: "/sessions/{session_id}/activities/{activity_id}/responses/since/{timestamp}",
    success: "200",
    schema: "ResponseFeed",
  },
];

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

const ERROR_REF = "#/components/schemas/Error";

describe("GET /openapi.json", () => {
  it("is OpenAPI 3.1 with the API served under /api and a bearer JWT scheme", () => {
    expect(doc.openapi).toMatch(/^3\.1\.\d+$/);
    expect(doc.info).toMatchObject({ title: "Caja API", version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
    expect(doc.servers?.[0]?.url).toBe("/api");
    expect(doc.components.securitySchemes.bearerAuth).toMatchObject({ type: "http", scheme: "bearer", bearerFormat: "JWT" });
  });

  describe.each(routes.map((r) => [`${r.method.toUpperCase()} /api${r.path}`, r] as const))("%s", (_, route) => {
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

    it("documents the JSON request body, when it takes one", () => {
      const schema = op().requestBody?.content?.["application/json"]?.schema;
      if (!route.body) {
        expect(op().requestBody).toBeUndefined();
        return;
      }
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
      else expect(ok?.content).toBeUndefined();
      for (const other of ["200", "201", "204"].filter((s) => s !== route.success)) expect(responses[other]).toBeUndefined();
    });

    it(route.public ? "needs no token" : "requires the bearer token", () => {
      if (route.public) expect(op().security ?? []).toEqual([]);
      else expect(op().security).toEqual([{ bearerAuth: [] }]);
    });

    it("documents its errors in the Error format", () => {
      const responses = op().responses ?? {};
      const expected = ["400", "404", "429", "500", ...(route.public ? ["409"] : ["401", "403"])];
      for (const status of expected) {
        expect(responses[status]?.content?.["application/json"]?.schema, status).toEqual({ $ref: ERROR_REF });
      }
      if (route.public) expect(responses["401"]).toBeUndefined();
    });
  });

  it("every documented operation is served by the REST adapter", async () => {
    const samples: Record<string, string> = {
      "{activity_id}": "00000000-0000-4000-8000-000000000000",
      "{timestamp}": "2000-01-01T00:00:00Z",
    };
    for (const [path, item] of Object.entries(doc.paths)) {
      for (const method of Object.keys(item)) {
        const res = await fetch(`${server.url}/api${path.replace(/\{\w+\}/g, (p) => samples[p] ?? "1")}`, {
          method: method.toUpperCase(),
        });
        // Without a token every route but join refuses with 401; join answers 400 for an empty body.
        expect([`${method} ${path}`, res.status]).toEqual([`${method} ${path}`, path === "/v1/sessions/join" ? 400 : 401]);
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
    for (const page of ["SessionPage", "ActivityPage", "ParticipantPage", "UserResponsePage"])
      expect(props(page)).toEqual([...keys.page].sort());
  });

  it("defines Error as { error: { code, message, details } } with the codes the API sends", () => {
    const error = doc.components.schemas.Error;
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
    expect((await fetch(`${server.url}/docs/../../package.json`)).status).toBe(404);
    expect((await fetch(`${server.url}/docs/nothing.js`)).status).toBe(404);
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
