import { AsyncLocalStorage } from 'node:async_hooks';
import type { DataSource, QueryRunner } from 'typeorm';

/**
 * The second tenant wall: PostgreSQL row-level security.
 *
 * Every API connection runs as {@link API_DATABASE_ROLE} (a role that owns nothing and is subject to
 * the FORCEd policies of migration 1764000000000). The policies admit a row when its tenant is the
 * transaction's `revela.tenant_id`, or when the transaction carries `revela.bypass = on`. Both are
 * set with `SET LOCAL`, so they end with the transaction and never survive on a pooled connection.
 *
 * Which one a query gets comes from the async context:
 * - {@link withTenant}: the authenticated request's tenant (set once per request by the API);
 * - {@link asSystem}: the explicit, named bypass for platform-admin and internal paths. It is the
 *   only place in the code that turns `revela.bypass` on;
 * - neither: the query runs with no tenant and sees no tenant-owned row at all (fails closed).
 */
export const API_DATABASE_ROLE = 'revela_app';

export type DbScope = { readonly kind: 'tenant'; readonly tenantId: string } | { readonly kind: 'system'; readonly reason: string };

const storage = new AsyncLocalStorage<DbScope>();
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Runs fn with every query scoped to one tenant. */
export function withTenant<T>(tenantId: string, fn: () => T): T {
  if (!UUID.test(tenantId)) throw new Error('withTenant: the tenant id must be a uuid');
  return storage.run({ kind: 'tenant', tenantId }, fn);
}

/**
 * Runs fn with row-level security bypassed: platform administration, the worker protocol, the
 * Lambda's reports and background sweeps. The reason names the path, for readers and logs.
 */
export function asSystem<T>(reason: string, fn: () => T): T {
  return storage.run({ kind: 'system', reason }, fn);
}

export function currentDbScope(): DbScope | undefined {
  return storage.getStore();
}

/** The statement that opens a scoped transaction (simple protocol; the tenant id is a checked uuid). */
export function scopedBegin(scope: DbScope): string {
  if (scope.kind === 'system') return `START TRANSACTION; SET LOCAL revela.bypass = 'on'`;
  if (!UUID.test(scope.tenantId)) throw new Error('scopedBegin: the tenant id must be a uuid');
  return `START TRANSACTION; SET LOCAL revela.tenant_id = '${scope.tenantId}'`;
}

interface PgClient {
  query(text: string): Promise<unknown>;
}

/**
 * Makes every query runner of the data source honour the async scope: a transaction it opens gets
 * the scope's settings in the same round trip, and a statement outside a transaction is wrapped in
 * a scoped one (START; statement; COMMIT). Unscoped queries pass through unchanged.
 */
export function installDbScopes(dataSource: DataSource): void {
  const driver = dataSource.driver as unknown as { createQueryRunner(mode: string): QueryRunner };
  const create = driver.createQueryRunner.bind(driver);
  driver.createQueryRunner = (mode: string) => scopeQueryRunner(create(mode));
}

function scopeQueryRunner(runner: QueryRunner): QueryRunner {
  const query: QueryRunner['query'] = runner.query.bind(runner);
  const connection = (): Promise<PgClient> => runner.connect();
  runner.query = (async (sql: string, parameters?: unknown[], structured?: boolean) => {
    const scope = storage.getStore();
    if (!scope) return query(sql, parameters, structured as never);
    if (runner.isTransactionActive) {
      // TypeORM's own START TRANSACTION (isTransactionActive is already true when it is sent).
      if (sql === 'START TRANSACTION') return (await connection()).query(scopedBegin(scope));
      return query(sql, parameters, structured as never);
    }
    const client = await connection();
    await client.query(scopedBegin(scope));
    try {
      const result = await query(sql, parameters, structured as never);
      await client.query('COMMIT');
      return result;
    } catch (err) {
      await client.query('ROLLBACK').catch(() => undefined);
      throw err;
    }
  }) as QueryRunner['query'];
  return runner;
}
