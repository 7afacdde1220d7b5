#!/usr/bin/env node
import { parseArgs } from "node:util";
import { TokenService, parseDuration } from "@caja/api";
import { createDb, migrate, pendingMigrations } from "@caja/db";
import { migrationsFolder } from "./assets";
import { ConfigError, loadConfig, type ServerConfig } from "./config";
import { databaseLocation, isEmbeddedDefault, jwtSecret, signInLink } from "./defaults";
import { issueSignInCode } from "./sign-in-codes";

const usage = `Usage:
  pnpm caja migrate                                   apply database migrations (DATABASE_URL or the embedded PGlite)
  pnpm caja token --role admin --sub alice [--ttl 12h]   print a signed admin token
  pnpm caja sign-in-link [--url http://host:port] [--ttl 10m]
                                                      print a one-time link that signs the web app in as its admin`;

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
  if (command === "sign-in-link") return printSignInLink(config, rest);
  console.error(usage);
  return command ? 2 : 0;
}

/** A code stored in the server's database, which any of its processes accepts once (sign-in-codes.ts). */
async function printSignInLink(config: ServerConfig, args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { url: { type: "string", default: `http://localhost:${config.PORT}` }, ttl: { type: "string" } },
  });
  const ttl = values.ttl === undefined ? config.SIGN_IN_LINK_TTL : parseDuration(values.ttl);
  if (ttl === null || ttl <= 0 || !/^https?:\/\//.test(values.url)) {
    console.error(usage);
    return 2;
  }
  if (isEmbeddedDefault(config) || config.DATABASE_URL === "memory://") {
    // An embedded database belongs to the one process that has it open.
    console.error("On the embedded database `pnpm start` prints a new sign-in link each time it starts: restart it.");
    return 2;
  }
  const db = createDb(databaseLocation(config), { maxConnections: 1 });
  try {
    const { code, expiresAt } = await issueSignInCode(db.db, ttl);
    console.log(signInLink(values.url, code));
    console.error(`(it works once, until ${expiresAt.toISOString()}: open it in the browser you present from)`);
    return 0;
  } finally {
    await db.close();
  }
}

run(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : error instanceof Error ? error.message : error);
    process.exit(1);
  },
);
