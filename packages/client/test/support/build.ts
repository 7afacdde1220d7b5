import { spawnSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

export const packageDir = join(dirname(fileURLToPath(import.meta.url)), "../..");
export const distDir = join(packageDir, "dist");

export function* filesUnder(dir: string, suffix: string): Generator<string> {
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) yield* filesUnder(path, suffix);
    else if (entry.name.endsWith(suffix)) yield path;
  }
}

const newest = (dir: string, suffix: string) =>
  Math.max(0, ...[...filesUnder(dir, suffix)].map((file) => statSync(file).mtimeMs));

/**
 * What the build reads: the SDK, its build scripts, and the server sources its router type is
 * generated from (scripts/app-router-declaration.ts).
 */
const buildInputs = ["src", "scripts", "../api/src", "../db/src", "../activities/src"]
  .map((dir) => join(packageDir, dir))
  .filter(existsSync);

/**
 * CI builds before it tests; locally, build when dist/ is missing or older than its inputs
 * so that the tests about the build never look at a stale one.
 */
export function ensureBuilt(): void {
  const built = existsSync(join(distDir, "index.js")) && existsSync(join(distDir, "index.d.ts"));
  const newestInput = Math.max(...buildInputs.map((dir) => newest(dir, ".ts")));
  if (built && Math.min(newest(distDir, ".js"), newest(distDir, ".d.ts")) >= newestInput) return;
  const run = spawnSync("pnpm", ["run", "build"], { cwd: packageDir, encoding: "utf8" });
  if (run.status !== 0) throw new Error(`pnpm build failed:\n${run.stdout}\n${run.stderr}`);
}
