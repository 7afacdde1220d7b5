// The SDK as a team outside this repository gets it: `pnpm pack`, then `npm install` of the
// tarball into an empty project, and a strict type-check that reads every declaration file.
import { execFile, spawnSync } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, filesUnder, packageDir } from "./support/build";

interface Manifest {
  name: string;
  version: string;
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
  peerDependenciesMeta?: Record<string, { optional?: boolean }>;
}

const fixture = join(packageDir, "test/fixtures/outside-consumer");
const tsc = join(packageDir, "node_modules/typescript/bin/tsc");
/** What the server runs on; a consumer of the SDK must not need any of it. */
const serverPackages = [
  "zod",
  "drizzle-orm",
  "postgres",
  "@upstash/redis",
  "@upstash/ratelimit",
  "ioredis",
  "trpc-to-openapi",
  "jsonwebtoken",
];

function mustRun(command: string, args: string[], cwd: string): string {
  const result = spawnSync(command, args, { cwd, encoding: "utf8" });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed:\n${result.stdout}\n${result.stderr}`);
  return result.stdout;
}

/** `file(line,col): error TS1234: message` lines of a tsc run, paths relative to the project. */
function typeErrors(project: string, tsconfig: string): Promise<string[]> {
  // Asynchronous, so that the type-checks below run side by side.
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [tsc, "-p", tsconfig, "--pretty", "false"], { cwd: project }, (error, stdout, stderr) => {
      const errors = stdout.split("\n").filter((line) => /: error TS\d+:/.test(line));
      // A failing run that printed no error line (a crash, a bad tsconfig) must not pass as clean.
      if (error && errors.length === 0) reject(new Error(`tsc -p ${tsconfig} failed:\n${stdout}\n${stderr}`));
      else resolve(errors);
    });
  });
}

describe("@caja/client packed and installed outside the workspace", () => {
  let work: string;
  let tarball: string;
  let unpacked: string;
  let manifest: Manifest;

  beforeAll(() => {
    ensureBuilt();
    work = mkdtempSync(join(tmpdir(), "caja-client-outside-"));
    mustRun("pnpm", ["pack", "--pack-destination", work], packageDir);
    const packed = readdirSync(work).filter((name) => name.endsWith(".tgz"));
    expect(packed).toHaveLength(1);
    tarball = join(work, packed[0] ?? "");
    unpacked = join(work, "unpacked");
    mkdirSync(unpacked);
    mustRun("tar", ["-xzf", tarball, "-C", unpacked], work);
    manifest = JSON.parse(readFileSync(join(unpacked, "package/package.json"), "utf8")) as Manifest;
  }, 180_000);

  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it("packs the built SDK, its manifest, README and LICENSE (MIT): no source, nothing of the server", () => {
    const files = mustRun("tar", ["-tzf", tarball], work).trim().split("\n").sort();
    const strays = files.filter(
      (file) =>
        !/^package\/(package\.json|README\.md|LICENSE|dist\/.+\.(js|js\.map|d\.ts))$/.test(file) ||
        /\/(api|db|server)\//.test(file),
    );
    expect(readFileSync(join(unpacked, "package/LICENSE"), "utf8")).toMatch(/^MIT License/);
    expect(strays).toEqual([]);
    for (const entry of ["dist/index", "dist/react/index", "dist/rest/index"]) {
      expect(files).toContain(`package/${entry}.js`);
      expect(files).toContain(`package/${entry}.d.ts`);
    }
    // Source maps may carry the SDK's own sources, never a server file.
    for (const map of filesUnder(unpacked, ".js.map")) {
      const { sources } = JSON.parse(readFileSync(map, "utf8")) as { sources: string[] };
      expect(sources.filter((source) => !source.startsWith("../src/") && !source.startsWith("../../src/"))).toEqual([]);
    }
    console.log(`${manifest.name}@${manifest.version}: ${files.length} files, ${statSync(tarball).size} bytes packed`);
  });

  it("has a manifest npm can install: versions, not workspace: or catalog: specifiers", () => {
    const specifiers = Object.values({ ...manifest.dependencies, ...manifest.peerDependencies });
    expect(specifiers.length).toBeGreaterThan(0);
    expect(specifiers.filter((spec) => /^(workspace|catalog|link|file):/.test(spec))).toEqual([]);
  });

  it("declares every package its declarations import", () => {
    const declared = [...Object.keys(manifest.dependencies ?? {}), ...Object.keys(manifest.peerDependencies ?? {})];
    const undeclared = new Set<string>();
    for (const file of filesUnder(join(unpacked, "package/dist"), ".d.ts")) {
      for (const [, specifier = ""] of readFileSync(file, "utf8").matchAll(
        /(?:\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)["']([^"']+)["']/g,
      )) {
        if (specifier.startsWith(".")) continue;
        if (!declared.some((name) => specifier === name || specifier.startsWith(`${name}/`))) undeclared.add(specifier);
      }
    }
    expect([...undeclared]).toEqual([]);
  });

  describe("in an empty project, installed with npm with only its dependencies and peers", () => {
    let project: string;
    let trpcOwnErrors: Promise<string[]> | undefined;
    /** What tRPC's declarations report without Caja, in the same project (see trpc-only/). */
    const trpcErrors = () => (trpcOwnErrors ??= typeErrors(project, "tsconfig.trpc-only.json"));

    beforeAll(() => {
      project = join(work, "consumer");
      cpSync(fixture, project, { recursive: true });
      writeFileSync(join(project, "package.json"), JSON.stringify({ name: "outside-consumer", private: true, type: "module" }));
      // npm installs the SDK's dependencies and its required peer (@trpc/server) by itself; the
      // optional peers (React, TanStack Query, React's types) are this app's choice, at the
      // ranges the SDK accepts.
      const optionalPeers = Object.entries(manifest.peerDependencies ?? {})
        .filter(([name]) => manifest.peerDependenciesMeta?.[name]?.optional)
        .map(([name, range]) => `${name}@${range}`);
      mustRun(
        "npm",
        ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error", tarball, ...optionalPeers],
        project,
      );
    }, 180_000);

    it("has the SDK and none of the server's packages", () => {
      expect(existsSync(join(project, "node_modules/@caja/client/dist/index.d.ts"))).toBe(true);
      expect(serverPackages.filter((name) => existsSync(join(project, "node_modules", name)))).toEqual([]);
      expect(readdirSync(join(project, "node_modules/@caja"))).toEqual(["client"]);
    });

    it.concurrent.for([
      ["a bundler (Vite)", "tsconfig.json"],
      ["Node ESM (NodeNext)", "tsconfig.node.json"],
    ] as const)(
      "type-checks with strict and skipLibCheck false, resolved like %s: the three lines, typed tRPC calls, the REST client",
      { timeout: 180_000 },
      async ([, tsconfig], { expect }) => {
        const [errors, trpcOnly] = await Promise.all([typeErrors(project, tsconfig), trpcErrors()]);
        // tRPC 11's own declarations fail under skipLibCheck false without Node's and ws' types
        // (`http`, `ws`, `Disposable`); those are the control's errors, the same with or without Caja.
        expect(errors.filter((line) => !line.startsWith("node_modules/@trpc/"))).toEqual([]);
        expect(errors.filter((line) => !trpcOnly.includes(line))).toEqual([]);
      },
    );

    // src/results.tsx is checked with the rest above (an unused @ts-expect-error is an error
    // too); this shows its expectations are the published types' doing: without the
    // directives, exactly those lines fail, each for the field or type it names.
    it("types a results hook per activity type: a poll's options, not a word cloud's words; submits by type", async () => {
      const source = readFileSync(join(project, "src/results.tsx"), "utf8");
      mkdirSync(join(project, "unchecked"), { recursive: true });
      writeFileSync(join(project, "unchecked/results.tsx"), source.replaceAll("// @ts-expect-error", "// expected:"));
      writeFileSync(
        join(project, "tsconfig.unchecked.json"),
        JSON.stringify({ extends: "./tsconfig.json", include: ["unchecked"] }),
      );
      const errors = (await typeErrors(project, "tsconfig.unchecked.json")).filter((line) => line.startsWith("unchecked/"));
      const lines = source.split("\n");
      const expected = lines.flatMap((line, i) => (line.includes("// @ts-expect-error") ? [i + 2] : []));
      expect(expected).toHaveLength(3);
      expect(errors.map((line) => Number(/\((\d+),/.exec(line)?.[1]))).toEqual(expected);
      expect(errors.join("\n")).toMatch(/'words' does not exist/);
      expect(errors.join("\n")).toMatch(/'questions' does not exist/);
      expect(errors.join("\n")).toMatch(/'choice'/);
    }, 180_000);
  });
});
