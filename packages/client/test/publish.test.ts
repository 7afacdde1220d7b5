// The SDK as the registry gets it: what `pnpm publish` would send (CI runs the same dry run), and
// the manifest fields a published package needs. The install from the packed tarball is
// outside-consumer.test.ts.
import { spawnSync } from "node:child_process";
import { existsSync, readFileSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { ensureBuilt, packageDir } from "./support/build";

const root = join(packageDir, "../..");

interface Manifest {
  name: string;
  version: string;
  private?: boolean;
  license?: string;
  repository?: { type?: string; url?: string; directory?: string };
  engines?: Record<string, string>;
  files?: string[];
  publishConfig?: { access?: string };
}

const read = (dir: string) => JSON.parse(readFileSync(join(dir, "package.json"), "utf8")) as Manifest;

/** The root and every workspace package (pnpm-workspace.yaml: apps/*, packages/*, bench). */
function workspaceManifests(): Array<[string, Manifest]> {
  const dirs = [root, join(root, "bench")];
  for (const parent of ["apps", "packages"]) {
    for (const name of readdirSync(join(root, parent))) {
      if (existsSync(join(root, parent, name, "package.json"))) dirs.push(join(root, parent, name));
    }
  }
  return dirs.map((dir) => [dir.slice(root.length) || "/", read(dir)]);
}

beforeAll(() => ensureBuilt(), 120_000);

describe("@caja/client as published", () => {
  it("has the manifest of a public package: not private, MIT, its repository folder, engines, files", () => {
    const manifest = read(packageDir);
    expect(manifest.private).toBeUndefined();
    expect(manifest).toMatchObject({
      license: "MIT",
      repository: { type: "git", directory: "packages/client" },
      engines: { node: expect.stringMatching(/^>=\d+/) },
      // LICENSE needs no entry: pnpm packs the workspace root's when the package has none.
      files: expect.arrayContaining(["dist", "README.md"]),
      // A scoped package is private on the registry unless its first publish says otherwise.
      publishConfig: { access: "public" },
    });
    expect(manifest.repository?.url).toMatch(/^git\+https:\/\//);
  });

  it("`pnpm publish --dry-run` sends the manifest, README, LICENSE and dist/ only, with public access", () => {
    const run = spawnSync("pnpm", ["publish", "--dry-run", "--no-git-checks"], { cwd: packageDir, encoding: "utf8" });
    const output = `${run.stdout}${run.stderr}`;
    expect(run.status, output).toBe(0);
    const files = [...output.matchAll(/^npm notice [\d.]+k?B\s+(\S+)$/gm)].map((match) => match[1] ?? "");
    expect(files).toEqual(expect.arrayContaining(["package.json", "README.md", "LICENSE", "dist/index.js", "dist/index.d.ts"]));
    expect(files.filter((file) => !/^(package\.json|README\.md|LICENSE|dist\/.+)$/.test(file))).toEqual([]);
    expect(output).toMatch(/with tag latest and public access/);
  });

  it("has its versions and changelog managed by Changesets", () => {
    const config = JSON.parse(readFileSync(join(root, ".changeset/config.json"), "utf8")) as Record<string, unknown>;
    expect(config).toMatchObject({ access: "public", baseBranch: "main" });
    const pending = readdirSync(join(root, ".changeset")).filter((name) => name.endsWith(".md") && name !== "README.md");
    const text = pending.map((name) => readFileSync(join(root, ".changeset", name), "utf8")).join("\n");
    // Either a release is pending for the SDK, or one has been made and written down.
    expect(/"@caja\/client": (major|minor|patch)/.test(text) || existsSync(join(packageDir, "CHANGELOG.md"))).toBe(true);
  });
});

describe("the licence", () => {
  it("is MIT at the root (LICENSE) and in every package of the workspace", () => {
    expect(readFileSync(join(root, "LICENSE"), "utf8")).toMatch(/^MIT License/);
    const manifests = workspaceManifests();
    expect(manifests.length).toBeGreaterThan(8);
    expect(manifests.filter(([, manifest]) => manifest.license !== "MIT").map(([dir]) => dir)).toEqual([]);
  });
});
