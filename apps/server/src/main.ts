import cluster from "node:cluster";
import { existsSync } from "node:fs";
import { join } from "node:path";
import { createCajaServer } from "./app";
import { superviseWorkers } from "./cluster";
import { ConfigError, loadConfig } from "./config";
import { defaultWebDir } from "./assets";
import { isEmbeddedDefault, jwtSecret, signInLink } from "./defaults";
import { createLogger, type Logger } from "./logging/logger";
import { aggregateWorkerMetrics } from "./metrics/cluster";
import { issueSignInCode } from "./sign-in-codes";

let logger: Logger | undefined;

/** `pnpm start`: validate config, migrate, listen, print how to call it. */
async function main() {
  const config = readConfig();
  const log = (logger = await createLogger({ level: config.LOG_LEVEL }));
  let stopping = false;
  if (cluster.isPrimary && config.CAJA_WORKERS > 1) {
    // Workers must not race to create the JWT secret file: each would sign with its own.
    jwtSecret(config);
    superviseWorkers(config.CAJA_WORKERS, config.SHUTDOWN_TIMEOUT_MS, log);
    aggregateWorkerMetrics();
    return;
  }
  const app = await createCajaServer(config, { logger: log });
  const url = await app.listen();
  if (cluster.isWorker) {
    log.info(`worker ${cluster.worker?.id} (pid ${process.pid}) listening on ${url}`);
    // The supervisor gone (killed outright): nothing would stop this worker otherwise.
    process.on("disconnect", () => void stop("supervisor gone"));
    // One worker tells the rest of the start-up story.
    if (cluster.worker?.id !== 1) return installSignals();
  }
  log.info(`listening on ${url}  (docs: ${url}/docs, OpenAPI: ${url}/openapi.json)`);
  const webDir = config.CAJA_WEB_DIR ?? defaultWebDir;
  if (existsSync(join(webDir, "index.html"))) log.info(`web app: ${url}/  (present: ${url}/present, join: ${url}/join)`);
  else log.warn(`web app not built (${webDir}): run \`pnpm build\`, or start with \`pnpm start\`, which builds it`);
  if (app.generatedSecret) log.info(`no JWT_SECRET set: using the secret kept in ${config.CAJA_DATA_DIR}/jwt-secret`);
  // Credentials only on the embedded default, whose console is the operator's (defaults.ts); never into a deployment's logs.
  // Printed to the console, not logged: no log line ever carries a token.
  if (isEmbeddedDefault(config)) {
    if (app.generatedSecret) {
      const { token } = app.deps.tokens.sign({ sub: "admin", role: "admin" }, 12 * 3600);
      console.log(`[caja] admin token (sub "admin", valid 12h):\n\n  export CAJA_TOKEN=${token}\n`);
    }
    const { code, expiresAt } = await issueSignInCode(app.db.db, config.SIGN_IN_LINK_TTL);
    console.log(
      `[caja] open this link to sign in to the web app as its admin (it works once, until ${expiresAt.toISOString()}):\n\n  ${signInLink(url, code)}\n`,
    );
  } else {
    log.info("to sign in to the web app, run `pnpm caja sign-in-link` for a one-time link");
  }
  installSignals();

  function installSignals() {
    process.on("SIGINT", () => void stop("SIGINT"));
    process.on("SIGTERM", () => void stop("SIGTERM"));
  }
  async function stop(signal: string) {
    if (stopping) return;
    stopping = true;
    log.info(`${signal}: finishing in-flight requests, then exiting`);
    // Whatever happens while draining, the process is gone shortly after the grace period.
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 1500).unref();
    await app.close();
    process.exit(0);
  }
}

function readConfig() {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
}

main().catch((error: unknown) => {
  const message = error instanceof Error ? error.message : String(error);
  if (logger) logger.fatal(`failed to start: ${message}`);
  else console.error("[caja] failed to start:", message);
  process.exit(1);
});
