import { existsSync } from "node:fs";
import { join } from "node:path";
import { createCajaServer } from "./app";
import { ConfigError, loadConfig } from "./config";
import { defaultWebDir } from "./http/web";

/** `pnpm start`: validate config, migrate, listen, print how to call it. */
async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(2);
    }
    throw error;
  }
  const app = await createCajaServer(config);
  const url = await app.listen();
  console.log(`[caja] listening on ${url}  (docs: ${url}/docs, OpenAPI: ${url}/openapi.json)`);
  const webDir = config.CAJA_WEB_DIR ?? defaultWebDir;
  console.log(
    existsSync(join(webDir, "index.html"))
      ? `[caja] web app: ${url}/  (present: ${url}/present, join: ${url}/join)`
      : `[caja] web app not built (${webDir}): run \`pnpm build\`, or start with \`pnpm start\`, which builds it`,
  );
  if (app.generatedSecret) {
    const { token } = app.deps.tokens.sign({ sub: "admin", role: "admin" }, 12 * 3600);
    console.log(`[caja] no JWT_SECRET set: using the secret kept in ${config.CAJA_DATA_DIR}/jwt-secret`);
    console.log(`[caja] admin token (sub "admin", valid 12h):\n\n  export CAJA_TOKEN=${token}\n`);
  }
  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    console.log(`[caja] ${signal}: finishing in-flight requests, then exiting`);
    // Whatever happens while draining, the process is gone shortly after the grace period.
    setTimeout(() => process.exit(1), config.SHUTDOWN_TIMEOUT_MS + 1500).unref();
    await app.close();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop("SIGINT"));
  process.on("SIGTERM", () => void stop("SIGTERM"));
}

main().catch((error: unknown) => {
  console.error("[caja] failed to start:", error instanceof Error ? error.message : error);
  process.exit(1);
});
