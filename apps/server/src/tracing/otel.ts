import type { IncomingMessage, ServerResponse } from "node:http";
import type { QueryHook } from "@caja/db";
import { VERSION } from "../version";

export interface Tracing {
  /** Runs `handle` inside the request's server span, which ends when its response closes. */
  inSpan(req: IncomingMessage, res: ServerResponse, handle: () => void): void;
  /** A client span per PostgreSQL statement, child of the request's span (@caja/db's hook). */
  onQuery: QueryHook;
  /** Sends the spans still queued. */
  shutdown(): Promise<void>;
}

export interface TracingOptions {
  /** The collector's OTLP/HTTP endpoint (OTEL_EXPORTER_OTLP_ENDPOINT); spans go to `<endpoint>/v1/traces`, as JSON. */
  endpoint: string;
  serviceName: string;
  /** The request's route template, known once it was routed (the span is named by it when it ends). */
  routeOf: (req: IncomingMessage) => string;
}

/**
 * OpenTelemetry, only when OTEL_EXPORTER_OTLP_ENDPOINT is set: every package is imported
 * here, dynamically, so a server without it loads none (and runs no async hooks: the context
 * manager's AsyncLocalStorage costs every promise of the process, see README Performance).
 * Spans are made here rather than by auto-instrumentation, which patches `node:http` and
 * has nothing for postgres.js: one server span per request, named by its route template,
 * and one client span per statement. Attributes never carry the URL's query string, a
 * header or a statement's parameters (a token, a nickname, an answer's text); a statement's
 * text has only placeholders. A `traceparent` header from the caller is continued.
 */
export async function startTracing(options: TracingOptions): Promise<Tracing> {
  const [api, { AsyncLocalStorageContextManager }, { W3CTraceContextPropagator }, { resourceFromAttributes }, sdk, otlp] =
    await Promise.all([
      import("@opentelemetry/api"),
      import("@opentelemetry/context-async-hooks"),
      import("@opentelemetry/core"),
      import("@opentelemetry/resources"),
      import("@opentelemetry/sdk-trace"),
      import("@opentelemetry/exporter-trace-otlp-http"),
    ]);
  const { SpanKind, SpanStatusCode, ROOT_CONTEXT, defaultTextMapGetter, trace } = api;
  const contextManager = new AsyncLocalStorageContextManager().enable();
  const exporter = new otlp.OTLPTraceExporter({ url: `${options.endpoint.replace(/\/+$/, "")}/v1/traces` });
  const provider = new sdk.TracerProvider({
    resource: resourceFromAttributes({ "service.name": options.serviceName, "service.version": VERSION }),
    spanProcessors: [new sdk.BatchSpanProcessor({ exporter, scheduledDelayMillis: 1000 })],
  });
  const tracer = provider.getTracer("caja", VERSION);
  const propagator = new W3CTraceContextPropagator();

  return {
    inSpan(req, res, handle) {
      const parent = propagator.extract(ROOT_CONTEXT, req.headers, defaultTextMapGetter);
      const method = req.method ?? "GET";
      const span = tracer.startSpan(method, { kind: SpanKind.SERVER, attributes: { "http.request.method": method } }, parent);
      res.once("close", () => {
        const route = options.routeOf(req);
        span.updateName(`${method} ${route}`);
        span.setAttribute("http.route", route);
        span.setAttribute("http.response.status_code", res.statusCode);
        if (res.statusCode >= 500) span.setStatus({ code: SpanStatusCode.ERROR });
        span.end();
      });
      contextManager.with(trace.setSpan(parent, span), handle);
    },
    onQuery(text) {
      const operation = /^\s*(\w+)/.exec(text)?.[1]?.toUpperCase() ?? "QUERY";
      const span = tracer.startSpan(
        `${operation} postgresql`,
        {
          kind: SpanKind.CLIENT,
          attributes: { "db.system.name": "postgresql", "db.operation.name": operation, "db.query.text": text },
        },
        contextManager.active(),
      );
      return (error) => {
        if (error !== undefined) {
          // The code only: a PostgreSQL message may quote a value of the statement.
          const code = error !== null && typeof error === "object" && "code" in error ? error.code : undefined;
          span.setAttribute("error.type", typeof code === "string" ? code : "error");
          span.setStatus({ code: SpanStatusCode.ERROR });
        }
        span.end();
      };
    },
    shutdown: async () => {
      await provider.shutdown();
      contextManager.disable();
    },
  };
}
