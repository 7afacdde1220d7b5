// scripts/build-artifact.sh, last step: the deployed folder's package.json as production reads it.
// pnpm deploy --legacy copies the workspace manifest as it is: `catalog:` and `workspace:`
// specifiers, an `exports` of TypeScript source and scripts that need tsx. This keeps what
// describes the artifact, names the versions actually installed, and gives `npm start` /
// `npm run migrate` the commands the Dockerfile runs.
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
if (!dir) throw new Error("usage: node scripts/artifact-manifest.mjs <artifact folder>");
const file = join(dir, "package.json");
const manifest = JSON.parse(readFileSync(file, "utf8"));
const installed = (name) => JSON.parse(readFileSync(join(dir, "node_modules", name, "package.json"), "utf8")).version;

const production = {
  name: manifest.name,
  version: manifest.version,
  description: manifest.description,
  private: true,
  license: manifest.license,
  type: manifest.type,
  engines: manifest.engines,
  scripts: { start: "node dist/main.js", migrate: "node dist/cli.js migrate" },
  dependencies: Object.fromEntries(Object.keys(manifest.dependencies ?? {}).map((name) => [name, installed(name)])),
};
writeFileSync(file, `${JSON.stringify(production, null, 2)}\n`);
