import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { describe as describeError } from "../src/logging/internal-error";
import { createLogger } from "../src/index";
import { requestIdOf } from "../src/logging/request-id";
import { fields, requestLineWriter } from "../src/logging/request-line";

/** Issue 19: what the log may say about an error and a request id (the server process's log is tested in observability.test.ts). */
describe("an internal error's log entry", () => {
  it("keeps the type, the message and the stack's frames, but no value the error quotes or drizzle's parameters", () => {
    const database = Object.assign(new Error('duplicate key value violates unique constraint "participants_nickname"'), {
      code: "23505",
      detail: "Key (session_id, nickname)=(1, Zebulon) already exists.",
    });
    const wrapped = new Error('Failed query: insert into "participants" ("nickname") values ($1)\nparams: Zebulon,my answer', {
      cause: database,
    });
    const described = describeError(wrapped);
    const text = JSON.stringify(described);
    expect(text).not.toContain("Zebulon");
    expect(text).not.toContain("my answer");
    expect(described.message).toBe("Failed query: insert into … (…) values ($1)\nparams: (not logged)");
    expect(described.stack).toMatch(/^\s+at /);
    expect(describeError(new Error('invalid input syntax for type uuid: "Zebulon"')).message).toBe(
      "invalid input syntax for type uuid: …",
    );
  });

  it("is written at level error with the request's id, route and the driver's code", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = await createLogger({ level: "info", destination });
    const { internalErrorLog } = await import("../src/logging/internal-error");
    internalErrorLog(logger)(Object.assign(new Error("boom"), { code: "EPIPE" }), { method: "GET" } as never, {
      reqId: "r-1",
      route: "/api/sessions/{session_id}/status",
    });
    expect(JSON.parse(lines[0] ?? "{}")).toMatchObject({
      level: 50,
      msg: "internal error",
      req_id: "r-1",
      route: "/api/sessions/{session_id}/status",
      error_code: "EPIPE",
      error: { type: "Error", message: "boom" },
    });
  });
});

describe("a request's log line", () => {
  it("is what pino itself writes for the same fields, key for key and in the same order", async () => {
    const lines: string[] = [];
    const destination = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(chunk.toString());
        done();
      },
    });
    const logger = await createLogger({ level: "info", destination });
    const entry = {
      reqId: "r-1",
      method: "GET",
      route: "/api/sessions/{session_id}/status",
      status: 404,
      durationMs: 0.412,
      errorCode: "NOT_FOUND",
      aborted: true,
    };
    requestLineWriter(logger)(entry);
    logger.info(fields(entry), "request");
    await until(() => lines.length === 2);
    const [fast, viaPino] = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(Object.keys(fast ?? {})).toEqual(Object.keys(viaPino ?? {}));
    expect({ ...fast, time: "t" }).toEqual({ ...viaPino, time: "t" });
    expect(fast?.pid).toBe(process.pid);
  });
});

async function until(check: () => boolean): Promise<void> {
  for (let waited = 0; !check(); waited += 5) {
    if (waited > 2000) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

describe("requestIdOf", () => {
  it("keeps 1-64 characters of A-Z a-z 0-9 . _ : - and replaces anything else by a UUID", () => {
    expect(requestIdOf("0b7f6c9e-1d2a-4b5c-8d9e-0f1a2b3c4d5e")).toBe("0b7f6c9e-1d2a-4b5c-8d9e-0f1a2b3c4d5e");
    expect(requestIdOf("x".repeat(64))).toBe("x".repeat(64));
    for (const bad of [undefined, "", "x".repeat(65), "a b", "a\nb", "é", ["a", "b"]]) {
      expect(requestIdOf(bad)).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    }
  });
});
