export { createTestDatabase, createFreshPostgres, testDbKind, adminDatabaseUrl, type TestDatabase } from "./databases";
export { startRedisBridge, type RedisBridge, type RedisBridgeOptions } from "./redis-bridge";
