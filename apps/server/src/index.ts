export { createCajaServer, VERSION, type CajaServer, type CreateServerOptions } from "./app";
export { loadConfig, envSchema, ConfigError, type ServerConfig } from "./config";
export { issueSignInCode, type IssuedCode } from "./sign-in-codes";
export { signInLink } from "./defaults";
