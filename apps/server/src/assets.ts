import { existsSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { migrationsFolder as workspaceMigrations } from "@caja/db";

/**
 * The files the server reads besides its code: the SQL migrations and the built web app.
 * This file sits at the depth of dist/ (apps/server/src, apps/server/dist), so one relative path
 * finds the checkout's web app from the source and from the bundle alike. A built server
 * (scripts/build.ts) carries its own dist/migrations; a deployed artifact
 * (scripts/build-artifact.sh) its dist/web too, with no checkout around it.
 */
const beside = (name: string) => fileURLToPath(new URL(`./${name}`, import.meta.url));

export const migrationsFolder = existsSync(join(beside("migrations"), "meta/_journal.json"))
  ? beside("migrations")
  : workspaceMigrations;

/** Where the web app is when CAJA_WEB_DIR does not say. */
export const defaultWebDir = existsSync(beside("web"))
  ? beside("web")
  : fileURLToPath(new URL("../../web/dist", import.meta.url));
