import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { createFreshPostgres } from "@caja/testing";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startServerProcess, type ServerProcess } from "./server-process";

/**
 * Issue 19: with OTEL_EXPORTER_OTLP_ENDPOINT set, each request's server span and its PostgreSQL
 * statements' client spans reach an OTLP/HTTP collector: here a real HTTP server in the test that
 * keeps what the server POSTs to /v1/traces (OTLP's JSON encoding).
 */
interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind: number;
  attributes: Array<{ key: string; value: { stringValue?: string; intValue?: number | string } }>;
}
interface OtlpExport {
  resourceSpans: Array<{
    resource: { attributes: OtlpSpan["attributes"] };
    scopeSpans: Array<{ spans: OtlpSpan[] }>;
  }>;
}
const SERVER = 2;
const CLIENT = 3;
const attribute = (span: OtlpSpan, key: string) => {
  const value = span.attributes.find((a) => a.key === key)?.value;
  return value?.stringValue ?? (value?.intValue === undefined ? undefined : Number(value.intValue));
};

describe("OpenTelemetry traces of a server process", () => {
  let collector: Server;
  const bodies: string[] = [];
  let server: ServerProcess;
  let database: Awaited<ReturnType<typeof createFreshPostgres>>;

  beforeAll(async () => {
    collector = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk: Buffer) => (body += chunk.toString()));
      req.on("end", () => {
        if (req.url === "/v1/traces") bodies.push(body);
        res.writeHead(200, { "content-type": "application/json" }).end("{}");
      });
    });
    await new Promise<void>((resolve) => collector.listen(0, "127.0.0.1", resolve));
    const { port } = collector.address() as AddressInfo;
    database = await createFreshPostgres();
    server = await startServerProcess({
      DATABASE_URL: database.url,
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${port}`,
      OTEL_SERVICE_NAME: "caja-under-test",
    });
  }, 60_000);
  afterAll(async () => {
    await server?.dispose();
    await database?.drop();
    await new Promise((resolve) => collector?.close(resolve));
  });

  const spans = () =>
    bodies.flatMap((body) => (JSON.parse(body) as OtlpExport).resourceSpans.flatMap((r) => r.scopeSpans.flatMap((s) => s.spans)));
  const until = async <T>(what: string, find: () => T | undefined, timeoutMs = 15_000): Promise<T> => {
    for (let waited = 0; waited < timeoutMs; waited += 50) {
      const found = find();
      if (found !== undefined) return found;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    throw new Error(
      `no ${what} reached the collector (${spans().length} spans: ${spans()
        .map((s) => s.name)
        .join(", ")})`,
    );
  };

  it("sends a server span per request, named by its route template, and a PostgreSQL span per statement under it", async () => {
    const traceId = "4bf92f3577b34da6a3ce929d0e0e4736";
    const res = await fetch(`${server.url}/api/v1/sessions`, {
      method: "POST",
      headers: {
        authorization: `Bearer ${server.adminToken()}`,
        "content-type": "application/json",
        traceparent: `00-${traceId}-00f067aa0ba902b7-01`,
      },
      body: JSON.stringify({ title: "Traced" }),
    });
    expect(res.status).toBe(201);

    const request = await until("server span", () =>
      spans().find((s) => s.kind === SERVER && s.name === "POST /api/v1/sessions" && s.traceId === traceId),
    );
    expect(request.parentSpanId).toBe("00f067aa0ba902b7");
    expect(attribute(request, "http.route")).toBe("/api/v1/sessions");
    expect(attribute(request, "http.response.status_code")).toBe(201);
    const insert = await until("PostgreSQL span of the insert", () =>
      spans().find(
        (s) =>
          s.kind === CLIENT && s.traceId === traceId && /^insert into "sessions"/.test(String(attribute(s, "db.query.text"))),
      ),
    );
    expect(insert.parentSpanId).toBe(request.spanId);
    expect(attribute(insert, "db.system.name")).toBe("postgresql");
    expect(insert.name).toBe("INSERT postgresql");
    const resource = (JSON.parse(bodies[0] ?? "{}") as OtlpExport).resourceSpans[0]?.resource.attributes;
    expect(resource?.find((a) => a.key === "service.name")?.value.stringValue).toBe("caja-under-test");
  });

  it("puts no statement parameter, query string or token in a span", async () => {
    const title = "a-title-only-the-database-sees";
    const token = server.adminToken("bob");
    await fetch(`${server.url}/api/v1/sessions?secret=${title}`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ title }),
    });
    await until("the span of that request", () =>
      spans().find(
        (s) =>
          s.kind === SERVER &&
          attribute(s, "http.response.status_code") === 201 &&
          s.traceId !== "4bf92f3577b34da6a3ce929d0e0e4736",
      ),
    );
    const everything = bodies.join("\n");
    expect(everything).not.toContain(title);
    expect(everything).not.toContain(token);
  });
});

describe("without OTEL_EXPORTER_OTLP_ENDPOINT", () => {
  it("no file of the server imports OpenTelemetry but tracing/otel.ts, which app.ts imports only when it is set", () => {
    const src = fileURLToPath(new URL("../src", import.meta.url));
    const files = (dir: string): string[] =>
      readdirSync(dir).flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? files(path) : path.endsWith(".ts") ? [path] : [];
      });
    const importers = files(src).filter((file) =>
      /from "@opentelemetry\/|import\("@opentelemetry\//.test(readFileSync(file, "utf8")),
    );
    expect(importers.map((file) => file.slice(src.length + 1))).toEqual(["tracing/otel.ts"]);
    const otel = readFileSync(join(src, "tracing/otel.ts"), "utf8");
    // Its only static imports of OpenTelemetry are types (erased); the packages come in by import().
    expect(otel).not.toMatch(/^import (?!type )[^;]*"@opentelemetry\//m);
    const staticImports = files(src).filter((file) =>
      /^import (?!type )[^;]*"\.{1,2}\/(tracing\/)?otel"/m.test(readFileSync(file, "utf8")),
    );
    expect(staticImports).toEqual([]);
  });
});
