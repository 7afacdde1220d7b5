export * from "./schema";
export { createDb, underlyingDatabase, type Database, type DbHandle, type CreateDbOptions } from "./client";
export { migrate, migrationsFolder, pendingMigrations } from "./migrate";
export { confusablesFile, loadConfusables, nicknameKeys, skeleton, type NicknameKeys } from "./nickname-keys";
export { queryRows } from "./rows";
export { DeadlineExceededError } from "./deadline";
export { PoolStats, type QueryHook } from "./observed";
export { pgErrorCode, databaseErrorCode, isUniqueViolation, isForeignKeyViolation, isDatabaseUnavailable } from "./errors";
export {
  sql,
  eq,
  ne,
  and,
  or,
  desc,
  asc,
  gt,
  gte,
  lt,
  lte,
  inArray,
  isNull,
  count,
  getTableColumns,
  type SQL,
} from "drizzle-orm";
