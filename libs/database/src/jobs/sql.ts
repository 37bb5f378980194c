import type pg from 'pg';
import type { DataSource, EntityManager } from 'typeorm';

/** The little the job queue needs from a database client: parameterised queries returning rows. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

export function poolSql(pool: pg.Pool): Sql {
  return { query: async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as Row[] };
}

/** The API's TypeORM connection seen through the same interface. */
export function dataSourceSql(db: DataSource | EntityManager): Sql {
  return { query: async <Row>(text: string, params?: unknown[]) => rowsOf<Row>(await db.query(text, params)) };
}

/**
 * TypeORM answers UPDATE/DELETE … RETURNING on PostgreSQL as [rows, affected]; SELECT/INSERT as rows.
 * `Row` names the columns the statement selects: the driver does not check it, the SQL beside it does.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the untyped default keeps older callers compiling
export function rowsOf<Row = Record<string, any>>(result: unknown): Row[] {
  if (Array.isArray(result) && result.length === 2 && Array.isArray(result[0]) && typeof result[1] === 'number') return result[0] as Row[];
  return Array.isArray(result) ? (result as Row[]) : [];
}
