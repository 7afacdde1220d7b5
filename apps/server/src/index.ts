export { createCajaServer, VERSION, type CajaServer, type CreateServerOptions } from "./app";
export { loadConfig, envSchema, ConfigError, type ServerConfig } from "./config";
export { createLogger, stderrLogger, type Logger } from "./logging/logger";
export { LineWriter } from "./logging/line-writer";
export { issueSignInCode, type IssuedCode } from "./sign-in-codes";
export { signInLink } from "./defaults";
