import { sql } from "drizzle-orm";
import type { Database } from "./client";
import { isUniqueViolation } from "./errors";
import { nicknameKeys } from "./nickname-keys";
import { queryRows } from "./rows";

const batchSize = 500;

/**
 * Computes the nickname keys of rows written before migration 0009 (SQL cannot compute a UTS #39
 * skeleton), after the SQL migrations, in batches by id. A row whose key a look-alike already holds in
 * its session (both joined before the keys existed) keeps null keys: the holder still refuses the next
 * look-alike, and the row is tried again at the next start (its holder may have left). Idempotent, so
 * instances starting together may both run it. Returns how many rows got keys.
 */
export async function fillNicknameKeys(db: Database): Promise<number> {
  let filled = 0;
  for (let after = 0; ;) {
    const rows = await queryRows<{ id: number; nickname: string }>(
      db,
      sql`select id, nickname from participants
           where nickname_skeleton is null and id > ${after} order by id limit ${batchSize}`,
    );
    const last = rows.at(-1);
    if (!last) return filled;
    after = last.id;
    try {
      filled += await setKeys(db, rows);
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      // A row of the batch collides: one at a time, leaving only the colliding rows without keys.
      for (const row of rows) {
        try {
          filled += await setKeys(db, [row]);
        } catch (rowError) {
          if (!isUniqueViolation(rowError)) throw rowError;
        }
      }
    }
  }
}

async function setKeys(db: Database, rows: Array<{ id: number; nickname: string }>): Promise<number> {
  const values = rows.map(({ id, nickname }) => {
    const keys = nicknameKeys(nickname);
    return sql`(${id}::int, ${keys.shown}::text, ${keys.lower}::text, ${keys.upper}::text)`;
  });
  const updated = await queryRows<{ id: number }>(
    db,
    sql`update participants p
           set nickname_skeleton = v.shown, nickname_skeleton_lower = v.lower, nickname_skeleton_upper = v.upper
          from (values ${sql.join(values, sql`, `)}) as v(id, shown, lower, upper)
         where p.id = v.id and p.nickname_skeleton is null
        returning p.id`,
  );
  return updated.length;
}
