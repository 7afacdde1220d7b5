#!/usr/bin/env bash
# The production artifact: the server compiled to JavaScript (apps/server/dist, with its SQL
# migrations), the built web app, and production dependencies only, with Caja's patches of them
# applied, in one folder that runs with `node dist/main.js` and migrates with `node dist/cli.js
# migrate`. No tsx, no TypeScript. The Dockerfile runs this very script, and
# apps/server/test/artifact.test.ts runs it and the artifact in CI.
#
# Usage: scripts/build-artifact.sh <new or empty folder>   (after `pnpm install`)
set -euo pipefail
out=${1:?usage: scripts/build-artifact.sh <new or empty folder>}
cd "$(dirname "$0")/.."

pnpm exec turbo run build --filter=@caja/server --filter=@caja/web --output-logs=errors-only
# --legacy: pnpm 10 deploys without it only from a workspace with inject-workspace-packages, which
# copies rather than links every workspace package in development. The server's build bundles the
# workspace packages, so the deployed package depends on none of them; patchedDependencies apply.
pnpm --filter @caja/server deploy --legacy --prod "$out"
cp -R apps/web/dist "$out/dist/web"
cp LICENSE "$out/LICENSE"
node scripts/artifact-manifest.mjs "$out"
