// `pnpm build` for the server: src/main.ts, src/cli.ts and src/healthcheck.ts compiled to
// JavaScript in dist/, with the workspace packages (@caja/*, TypeScript source) bundled in and
// every npm package left as an import that production's node_modules answers. dist/migrations is
// a copy of @caja/db's SQL migrations (src/assets.ts finds it there). Production then runs
// `node dist/main.js` with no TypeScript tooling at all (scripts/build-artifact.sh at the root).
import { chmodSync, cpSync, readFileSync, rmSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { build, type Plugin } from "esbuild";
import { confusablesFile, migrationsFolder } from "@caja/db";

const serverDir = fileURLToPath(new URL("..", import.meta.url));
const dist = join(serverDir, "dist");
const manifest = JSON.parse(readFileSync(join(serverDir, "package.json"), "utf8")) as {
  dependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** `@scope/name/sub/path` -> `@scope/name`; `name/sub` -> `name`. */
const packageName = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

/**
 * Workspace packages are bundled; every other package must be one of this package's own
 * dependencies, since production installs only those (pnpm deploy --prod) and the bundle imports
 * them from dist/. A package that is only a dependency of, say, @caja/api would install in the
 * workspace and be missing in production: the build names it instead.
 */
const productionDependencies: Plugin = {
  name: "production-dependencies",
  setup(build) {
    build.onResolve({ filter: /^[^./]/ }, (args) => {
      if (args.path.startsWith("node:")) return { external: true };
      const name = packageName(args.path);
      if (name.startsWith("@caja/")) return undefined;
      if (Object.hasOwn(manifest.dependencies, name)) return { external: true };
      // A development dependency loaded only by import() where its absence is handled (pino-pretty:
      // readable logs on a terminal, JSON without it): production has none, and the code does without.
      if (args.kind === "dynamic-import" && Object.hasOwn(manifest.devDependencies, name)) return { external: true };
      return {
        errors: [{ text: `"${name}" is imported (by ${args.importer}) but is not a dependency of @caja/server` }],
      };
    });
  },
};

rmSync(dist, { recursive: true, force: true });
await build({
  absWorkingDir: serverDir,
  entryPoints: { main: "src/main.ts", cli: "src/cli.ts", healthcheck: "src/healthcheck.ts" },
  outdir: dist,
  bundle: true,
  // Shared modules become chunks in dist/ itself: import.meta.url means dist/ wherever code lands.
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  sourcemap: "linked",
  plugins: [productionDependencies],
  logLevel: "warning",
});
cpSync(migrationsFolder, join(dist, "migrations"), { recursive: true });
// Unicode's confusables data for nickname keys (@caja/db's nickname-keys.ts looks beside its code).
cpSync(confusablesFile, join(dist, "data", "confusables.txt"));
// `caja` on a PATH (the Dockerfile links it): src/cli.ts starts with its #! line, which esbuild keeps.
chmodSync(join(dist, "cli.js"), 0o755);
