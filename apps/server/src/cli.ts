#!/usr/bin/env node
import { parseArgs } from "node:util";
import { TokenService, parseDuration } from "@caja/api";
import { createDb, migrate, pendingMigrations } from "@caja/db";
import { migrationsFolder } from "./assets";
import { ConfigError, loadConfig } from "./config";
import { databaseLocation, jwtSecret } from "./defaults";

const usage = `Usage:
  pnpm caja migrate                                   apply database migrations (DATABASE_URL or the embedded PGlite)
  pnpm caja token --role admin --sub alice [--ttl 12h]   print a signed admin token`;

async function run(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const config = loadConfig();
  if (command === "migrate") {
    const db = createDb(databaseLocation(config));
    const pending = await pendingMigrations(db, migrationsFolder);
    await migrate(db, migrationsFolder);
    await db.close();
    console.log(`migrations applied (${db.driver}): ${pending.length ? pending.join(", ") : "none pending"}`);
    return 0;
  }
  if (command === "token") {
    const { values } = parseArgs({
      args: rest,
      options: { role: { type: "string", default: "admin" }, sub: { type: "string" }, ttl: { type: "string", default: "12h" } },
    });
    if (values.role !== "admin") {
      console.error("only --role admin tokens are printed here: participants get theirs by joining with a code");
      return 2;
    }
    const ttl = parseDuration(values.ttl);
    if (!values.sub || ttl === null || ttl <= 0) {
      console.error(usage);
      return 2;
    }
    const { secret } = jwtSecret(config);
    const tokens = new TokenService({ secret, issuer: config.JWT_ISSUER, audience: config.JWT_AUDIENCE });
    console.log(tokens.sign({ sub: values.sub, role: "admin" }, ttl).token);
    return 0;
  }
  console.error(usage);
  return command ? 2 : 0;
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
