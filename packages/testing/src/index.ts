export { createTestDatabase, createFreshPostgres, testDbKind, adminDatabaseUrl, type TestDatabase } from "./databases";
export { freePort } from "./free-port";
export { startRedisBridge, type RedisBridge, type RedisBridgeOptions } from "./redis-bridge";
export { startPrivatePostgres, type PrivatePostgres } from "./private-postgres";
export { startPrivateRedis, type PrivateRedis } from "./private-redis";
export { startReadyProcess, type ReadyProcess } from "./ready-process";
export { startTcpRelay, type TcpRelay, type TcpRelayOptions } from "./tcp-relay";
export { startTestRedis, redisDrivers, type RedisDriver, type TestRedis } from "./test-redis";
export { startSlowRedis, type SlowRedis } from "./slow-redis";
