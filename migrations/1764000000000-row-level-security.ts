import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Tables whose rows belong to one tenant through a `tenant_id` column. */
export const TENANT_TABLES = [
  'api_keys',
  'jobs',
  'job_files',
  'animals',
  'photos',
  'webhook_endpoints',
  'webhook_events',
  'webhook_deliveries',
];

/** The expressions every policy uses; each is evaluated once per statement (an initplan), not per row. */
const BYPASS = `(SELECT coalesce(current_setting('revela.bypass', true), '') = 'on')`;
const TENANT = `(SELECT nullif(current_setting('revela.tenant_id', true), '')::uuid)`;

/**
 * Row-level security, the database's own tenant wall (see libs/database/src/db-scope.ts).
 *
 * - `revela_app` is the role every API connection runs as: NOLOGIN, owns nothing, may read and
 *   write rows but not change the schema. A login role for the API gets `GRANT revela_app TO …`.
 * - Every tenant-owned table has RLS enabled and FORCEd (so it holds for the owner too; only
 *   superusers and BYPASSRLS roles escape it, and the API never runs as one).
 * - A row is visible and writable when its tenant is the transaction's `revela.tenant_id`, or when
 *   the transaction says `revela.bypass = on` (the API's explicit system scope). No tenant set:
 *   no row.
 * - `workers` belongs to the platform: only the system scope sees it.
 * - `revela_api_key_owner(prefix)` is the one read a request makes before it knows its tenant.
 */
export class RowLevelSecurity1764000000000 implements MigrationInterface {
  name = 'RowLevelSecurity1764000000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      DO $$ BEGIN
        IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'revela_app') THEN CREATE ROLE revela_app NOLOGIN; END IF;
      EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; -- created meanwhile by another database of the cluster
      END $$`);
    // The migrating role may have to SET ROLE to it (an owner login used as the API's login too).
    await db.query(`GRANT revela_app TO CURRENT_USER`);
    await db.query(`GRANT USAGE ON SCHEMA public TO revela_app`);
    await db.query(`GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO revela_app`);
    await db.query(`GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO revela_app`);
    await db.query(`REVOKE ALL ON TABLE migrations FROM revela_app`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO revela_app`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public GRANT USAGE, SELECT ON SEQUENCES TO revela_app`);

    for (const table of TENANT_TABLES) {
      await this.protect(db, table, `${BYPASS} OR tenant_id = ${TENANT}`);
    }
    await this.protect(db, 'tenants', `${BYPASS} OR id = ${TENANT}`);
    await this.protect(db, 'webhook_attempts', `${BYPASS} OR EXISTS (SELECT 1 FROM webhook_deliveries d WHERE d.id = delivery_id)`);
    await this.protect(db, 'idempotency_keys', `${BYPASS} OR scope = 'tenant:' || ${TENANT}::text`);
    await this.protect(db, 'workers', BYPASS);

    await db.query(`
      CREATE FUNCTION revela_api_key_owner(key_prefix text)
      RETURNS TABLE (id uuid, tenant_id uuid, kind text, name text, created_at timestamptz, secret_hash bytea, revoked_at timestamptz, last_used_at timestamptz)
      LANGUAGE plpgsql STABLE
      SET revela.bypass = 'on'
      AS $$ BEGIN
        RETURN QUERY SELECT k.id, k.tenant_id, t.kind, t.name, t.created_at, k.secret_hash, k.revoked_at, k.last_used_at
                       FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                      WHERE k.prefix = key_prefix;
      END $$`);
    await db.query(`REVOKE ALL ON FUNCTION revela_api_key_owner(text) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION revela_api_key_owner(text) TO revela_app`);
  }

  private async protect(db: QueryRunner, table: string, predicate: string): Promise<void> {
    await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
    await db.query(`CREATE POLICY tenant_wall ON ${table} USING (${predicate}) WITH CHECK (${predicate})`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION revela_api_key_owner(text)`);
    for (const table of [...TENANT_TABLES, 'tenants', 'webhook_attempts', 'idempotency_keys', 'workers']) {
      await db.query(`DROP POLICY tenant_wall ON ${table}`);
      await db.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON TABLES FROM revela_app`);
    await db.query(`ALTER DEFAULT PRIVILEGES IN SCHEMA public REVOKE ALL ON SEQUENCES FROM revela_app`);
    await db.query(`REVOKE ALL ON ALL TABLES IN SCHEMA public FROM revela_app`);
    await db.query(`REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM revela_app`);
    await db.query(`REVOKE USAGE ON SCHEMA public FROM revela_app`);
  }
}
