import type { ObjectLiteral, SelectQueryBuilder } from 'typeorm';

/** Keyset position for cursor pagination: the last row's creation time and id. */
export interface Cursor {
  createdAt: Date;
  id: string;
}

export function encodeCursor(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.createdAt.toISOString(), cursor.id])).toString('base64url');
}

/** Returns undefined for anything that is not a cursor this API issued. */
export function decodeCursor(value: string): Cursor | undefined {
  try {
    const parsed: unknown = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if (!Array.isArray(parsed) || parsed.length !== 2) return undefined;
    const [createdAt, id] = parsed as unknown[];
    if (typeof createdAt !== 'string' || typeof id !== 'string') return undefined;
    const date = new Date(createdAt);
    if (Number.isNaN(date.getTime()) || !/^[0-9a-f-]{36}$/i.test(id)) return undefined;
    return { createdAt: date, id };
  } catch {
    return undefined;
  }
}

/**
 * The one keyset rule, `(created_at, id)` after the cursor, for TypeORM query builders: orders by
 * it, limits, and adds the predicate when there is a cursor.
 */
export function pageAfter<T extends ObjectLiteral>(
  query: SelectQueryBuilder<T>,
  alias: string,
  after: Cursor | undefined,
  limit: number,
): SelectQueryBuilder<T> {
  query.orderBy(`${alias}.created_at`, 'ASC').addOrderBy(`${alias}.id`, 'ASC').take(limit);
  if (after)
    query.andWhere(`(${alias}.created_at, ${alias}.id) > (:cursorCreatedAt, :cursorId)`, {
      cursorCreatedAt: after.createdAt,
      cursorId: after.id,
    });
  return query;
}

/**
 * The same rule for raw SQL: a predicate over the positional parameters `$n` (created_at) and
 * `$n+1` (id) that holds for every row when both are null; pass `cursorParams(after)` there.
 * `newestFirst` pages in descending order (the predicate becomes "before the cursor").
 */
export function keysetSql(alias: string | null, firstParameter: number, newestFirst = false): string {
  const column = (name: string) => (alias ? `${alias}.${name}` : name);
  const [at, id] = [`$${firstParameter}`, `$${firstParameter + 1}`];
  return `(${at}::timestamptz IS NULL OR (${column('created_at')}, ${column('id')}) ${newestFirst ? '<' : '>'} (${at}::timestamptz, ${id}::uuid))`;
}

export function cursorParams(after: Cursor | undefined): [Date | null, string | null] {
  return [after?.createdAt ?? null, after?.id ?? null];
}
