import pg from 'pg';

/** The little the job queue needs from a database client: parameterised queries returning rows. */
export interface Sql {
  query<Row = Record<string, unknown>>(text: string, params?: unknown[]): Promise<Row[]>;
}

export function poolSql(pool: pg.Pool): Sql {
  return { query: async <Row>(text: string, params?: unknown[]) => (await pool.query(text, params)).rows as Row[] };
}
