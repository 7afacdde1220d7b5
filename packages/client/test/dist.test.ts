import { spawnSync } from "node:child_process";
import { existsSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { distDir, ensureBuilt, filesUnder, packageDir } from "./support/build";

beforeAll(() => ensureBuilt(), 120_000);

/** Every module specifier a file imports or re-exports. */
function specifiers(text: string): string[] {
  const found = text.matchAll(/(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g);
  return [...found].map((match) => match[1] ?? "");
}

const isRelative = (specifier: string) => specifier.startsWith("./") || specifier.startsWith("../");

describe("the built SDK", () => {
  it("has ESM and declarations for each entry of the exports map", () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      exports: Record<string, { types: string; import: string }>;
    };
    expect(Object.keys(manifest.exports)).toEqual([".", "./react", "./rest"]);
    for (const entry of Object.values(manifest.exports)) {
      expect(existsSync(join(packageDir, entry.import)), entry.import).toBe(true);
      expect(existsSync(join(packageDir, entry.types)), entry.types).toBe(true);
    }
  });

  it("runs no server code: its JavaScript imports only the client libraries", () => {
    const allowed = new Set([
      "@trpc/client",
      "@trpc/tanstack-react-query",
      "@tanstack/react-query",
      "react",
      "react/jsx-runtime",
      "openapi-fetch",
    ]);
    for (const file of filesUnder(distDir, ".js")) {
      const text = readFileSync(file, "utf8");
      const foreign = specifiers(text).filter((s) => !isRelative(s) && !allowed.has(s));
      expect(foreign, relative(distDir, file)).toEqual([]);
      expect(text, relative(distDir, file)).not.toMatch(/drizzle|postgres|jsonwebtoken|@upstash|ioredis|@caja\//);
    }
  });

  it("ships declarations that import only the packages it declares, none of the server's", () => {
    const manifest = JSON.parse(readFileSync(join(packageDir, "package.json"), "utf8")) as {
      dependencies: Record<string, string>;
      peerDependencies: Record<string, string>;
    };
    const declared = [...Object.keys(manifest.dependencies), ...Object.keys(manifest.peerDependencies)];
    const isDeclared = (specifier: string) => declared.some((name) => specifier === name || specifier.startsWith(`${name}/`));
    const declarations = [...filesUnder(distDir, ".d.ts")];
    expect(declarations.length).toBeGreaterThan(0);
    for (const file of declarations) {
      const bare = specifiers(readFileSync(file, "utf8")).filter((s) => !isRelative(s));
      expect(
        bare.filter((s) => !isDeclared(s)),
        relative(distDir, file),
      ).toEqual([]);
    }
  });

  it("type-checks a fresh Vite + React app that renders live status (test/fixtures/vite-app)", () => {
    const tsc = join(packageDir, "node_modules/typescript/bin/tsc");
    const run = spawnSync(process.execPath, [tsc, "-p", join(packageDir, "test/fixtures/vite-app")], { encoding: "utf8" });
    expect(run.stdout + run.stderr).toBe("");
    expect(run.status).toBe(0);
  }, 60_000);
});
