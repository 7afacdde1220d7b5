export * from "./schema";
export { createDb, type Database, type DbHandle, type CreateDbOptions } from "./client";
export { migrate, migrationsFolder } from "./migrate";
export { queryRows } from "./rows";
export { sql, eq, and, or, desc, asc, gt, gte, lt, lte, inArray, count } from "drizzle-orm";
