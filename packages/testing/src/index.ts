export { createTestDatabase, createFreshPostgres, testDbKind, adminDatabaseUrl, type TestDatabase } from "./databases";
export { startRedisBridge, type RedisBridge, type RedisBridgeOptions } from "./redis-bridge";
export { startPrivatePostgres, type PrivatePostgres } from "./private-postgres";
export { startReadyProcess, type ReadyProcess } from "./ready-process";
export { startTestRedis, redisDrivers, type RedisDriver, type TestRedis } from "./test-redis";
export { startSlowRedis, type SlowRedis } from "./slow-redis";
