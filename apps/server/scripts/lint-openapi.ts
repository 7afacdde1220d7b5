// `pnpm lint:openapi`: builds the OpenAPI document from the router in-process (the
// one GET /openapi.json serves), writes it to a temporary file and runs
// `redocly lint` on it with the repository's redocly.yaml (recommended rules) and its
// .redocly.lint-ignore.yaml (Redocly reads the ignore file next to the config, keyed by the
// document's path relative to it: both are copied beside the document).
import { spawnSync } from "node:child_process";
import { copyFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { openApiDocument } from "../src/openapi";

const root = fileURLToPath(new URL("../../../", import.meta.url));

/** Runs Redocly on the document; returns its exit code and what it printed. */
export function lintOpenApi(): { status: number; output: string } {
  const dir = mkdtempSync(join(tmpdir(), "caja-openapi-"));
  try {
    const file = join(dir, "openapi.json");
    writeFileSync(file, JSON.stringify(openApiDocument(), null, 2));
    copyFileSync(join(root, "redocly.yaml"), join(dir, "redocly.yaml"));
    copyFileSync(join(root, ".redocly.lint-ignore.yaml"), join(dir, ".redocly.lint-ignore.yaml"));
    const cli = join(dirname(createRequire(import.meta.url).resolve("@redocly/cli/package.json")), "bin", "cli.js");
    const run = spawnSync(process.execPath, [cli, "lint", file, "--config", join(dir, "redocly.yaml"), "--format", "stylish"], {
      encoding: "utf8",
      env: { ...process.env, REDOCLY_TELEMETRY: "off", REDOCLY_SUPPRESS_UPDATE_NOTICE: "true" },
    });
    return { status: run.status ?? 1, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const { status, output } = lintOpenApi();
  process.stdout.write(output);
  process.exit(status);
}
