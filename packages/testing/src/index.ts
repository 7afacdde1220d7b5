export { createTestDatabase, createFreshPostgres, testDbKind, adminDatabaseUrl, type TestDatabase } from "./databases";
