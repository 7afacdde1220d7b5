// Dockerfile, compose.yaml and deploy/nginx.conf against the code they deploy. Docker does not run
// on the machines Caja is tested on, so the image is not built here (README, Deploy); what is run is
// its build step (scripts/build-artifact.sh, artifact.test.ts). These files are checked instead for
// what would break them silently: a setting the server does not know, a command or file that does
// not exist, a proxy that buffers or cuts bodies the server accepts, an image that floats.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";
import { envSchema, loadConfig } from "../src/config";

const repo = fileURLToPath(new URL("../../..", import.meta.url));
const text = (file: string) => readFileSync(join(repo, file), "utf8");

interface Service {
  image?: string;
  build?: string;
  command?: string[];
  environment?: Record<string, string>;
  depends_on?: Record<string, { condition: string }>;
}
const compose = parse(text("compose.yaml"), { merge: true }) as { services: Record<string, Service> };
const instances = Object.entries(compose.services).filter(([name]) => /^caja-\d+$/.test(name));
const dockerfile = text("Dockerfile");
const nginx = text("deploy/nginx.conf");

/**
 * `name:1.2.3[-variant]` (PostgreSQL's releases are `15.14`): a release, not a tag that moves such
 * as latest, 20 or alpine.
 */
const pinned = /^[\w./-]+:\d+\.\d+(\.\d+)?(-[\w.-]+)?(@sha256:[0-9a-f]{64})?$/;

describe("Dockerfile", () => {
  it("builds with scripts/build-artifact.sh, the step CI runs and tests, from a pinned Node image", () => {
    expect(dockerfile).toMatch(/^RUN scripts\/build-artifact\.sh \/app$/m);
    const base = /^ARG NODE_IMAGE=(\S+)$/m.exec(dockerfile)?.[1] ?? "";
    expect(base).toMatch(pinned);
    // The Node major CI runs on.
    expect(base).toMatch(new RegExp(`^node:${process.versions.node.split(".")[0]}\\.`));
  });

  it("runs node dist/main.js as a user that is not root, with the HEALTHCHECK on /ready (dist/healthcheck.js)", () => {
    const runtime = dockerfile.slice(dockerfile.lastIndexOf("\nFROM "));
    expect(runtime).toMatch(/^USER node$/m);
    expect(runtime).toMatch(/^CMD \["node", "dist\/main\.js"\]$/m);
    expect(runtime).toMatch(/^HEALTHCHECK .*CMD \["node", "\/app\/dist\/healthcheck\.js"\]$/m);
    expect(runtime).toMatch(/ln -s \/app\/dist\/cli\.js \/usr\/local\/bin\/caja/);
    expect(text("apps/server/src/healthcheck.ts")).toMatch(/\/ready/);
  });
});

describe("compose.yaml", () => {
  it("has PostgreSQL, Redis, a migrate job, two Caja instances and a proxy, on pinned images", () => {
    expect(Object.keys(compose.services).sort()).toEqual(["caja-1", "caja-2", "migrate", "postgres", "proxy", "redis"]);
    const pulled = Object.entries(compose.services).filter(([, service]) => !service.build);
    expect(pulled.map(([name]) => name).sort()).toEqual(["postgres", "proxy", "redis"]);
    for (const [name, service] of pulled) expect(service.image, name).toMatch(pinned);
  });

  it("migrates once with `caja migrate` before the instances start, which do not migrate themselves", () => {
    expect(compose.services.migrate?.command).toEqual(["caja", "migrate"]);
    expect(instances).toHaveLength(2);
    for (const [name, service] of instances) {
      expect(service.depends_on?.migrate, name).toEqual({ condition: "service_completed_successfully" });
      expect(service.environment?.MIGRATE_ON_START, name).toBe("false");
    }
  });

  it("sets only variables the server reads, to values it accepts", () => {
    const known = Object.keys(envSchema.shape);
    for (const [name, service] of [...instances, ["migrate", compose.services.migrate] as const]) {
      const env = service?.environment ?? {};
      expect(
        Object.keys(env).filter((key) => !known.includes(key)),
        name,
      ).toEqual([]);
      // ${VAR:?message} is compose's to fill in; a stand-in of the documented kind is checked instead.
      const filled = Object.fromEntries(
        Object.entries(env).map(([key, value]) => [key, value.replace(/\$\{[^}]+\}/g, "x".repeat(40))]),
      );
      expect(() => loadConfig(filled), name).not.toThrow();
    }
  });
});

describe("deploy/nginx.conf", () => {
  const upstream = /upstream caja \{([\s\S]*?)\n {4}\}/.exec(nginx)?.[1] ?? "";

  it("balances over the compose instances, on the port they listen on", () => {
    const port = loadConfig({}).PORT;
    const servers = [...upstream.matchAll(/^\s*server (\S+) resolve;$/gm)].map((match) => match[1]);
    expect(servers).toEqual(instances.map(([name]) => `${name}:${port}`));
  });

  it("appends the caller to X-Forwarded-For, as the one trusted hop of TRUST_PROXY=1", () => {
    expect(nginx).toMatch(/proxy_set_header X-Forwarded-For \$proxy_add_x_forwarded_for;/);
    for (const [name, service] of instances) {
      expect(loadConfig({ TRUST_PROXY: service.environment?.TRUST_PROXY ?? "" }).TRUST_PROXY, name).toEqual({ hops: 1 });
    }
  });

  it("buffers no answers, and lets every body the server accepts through to it (its 413 is the API's)", () => {
    expect(nginx).toMatch(/^\s*proxy_buffering off;$/m);
    const limit = /client_max_body_size (\d+)k;/.exec(nginx)?.[1];
    expect(Number(limit) * 1024).toBeGreaterThan(loadConfig({}).MAX_BODY_BYTES);
  });

  it("answers in the API's error format when no instance does", () => {
    const body = /return 503 '([^']+)';/.exec(nginx)?.[1] ?? "";
    expect(JSON.parse(body)).toEqual({ error: { code: "SERVICE_UNAVAILABLE", message: expect.any(String), details: {} } });
  });
});
