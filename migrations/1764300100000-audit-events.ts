import type { MigrationInterface, QueryRunner } from 'typeorm';

const BYPASS = `(SELECT coalesce(current_setting('revela.bypass', true), '') = 'on')`;
const TENANT = `(SELECT nullif(current_setting('revela.tenant_id', true), '')::uuid)`;

/**
 * The audit log: who did what to which tenant, when, in which request.
 *
 * - Behind the same wall as every tenant-owned table: a tenant sees its own events; rows with no
 *   tenant (platform events, such as a tenant's deletion) only the system scope sees.
 * - Append-only for the API: `revela_app` may INSERT and SELECT, never UPDATE, DELETE or TRUNCATE.
 * - The one exception is erasure with its tenant: `revela_erase_tenant_audit` (owned by the
 *   migrating role, SECURITY DEFINER) deletes a tenant's events only while that tenant is marked
 *   for deletion, so the foreign key lets the tenant row go.
 */
export class AuditEvents1764300100000 implements MigrationInterface {
  name = 'AuditEvents1764300100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE audit_events (
        id uuid PRIMARY KEY,
        tenant_id uuid REFERENCES tenants (id),
        actor_type text NOT NULL CHECK (actor_type IN ('api_key', 'admin', 'system')),
        actor_key_id uuid,
        actor_key_prefix text,
        action text NOT NULL,
        target_type text NOT NULL,
        target_id text NOT NULL,
        request_id text,
        details jsonb NOT NULL DEFAULT '{}',
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', clock_timestamp())
      )`);
    await db.query(`CREATE INDEX audit_events_by_tenant ON audit_events (tenant_id, created_at DESC, id DESC)`);
    await db.query(`CREATE INDEX audit_events_by_time ON audit_events (created_at DESC, id DESC)`);
    await db.query(`ALTER TABLE audit_events ENABLE ROW LEVEL SECURITY`);
    await db.query(`ALTER TABLE audit_events FORCE ROW LEVEL SECURITY`);
    await db.query(
      `CREATE POLICY tenant_wall ON audit_events USING (${BYPASS} OR tenant_id = ${TENANT}) WITH CHECK (${BYPASS} OR tenant_id = ${TENANT})`,
    );
    await db.query(`REVOKE ALL ON audit_events FROM revela_app`);
    await db.query(`GRANT SELECT, INSERT ON audit_events TO revela_app`);

    await db.query(`
      CREATE FUNCTION revela_erase_tenant_audit(erased uuid) RETURNS void
      LANGUAGE sql VOLATILE SECURITY DEFINER
      SET search_path = public, pg_temp
      SET revela.bypass = 'on'
      AS $$
        DELETE FROM audit_events
         WHERE tenant_id = erased AND EXISTS (SELECT 1 FROM tenants t WHERE t.id = erased AND t.deleting_at IS NOT NULL)
      $$`);
    await db.query(`REVOKE ALL ON FUNCTION revela_erase_tenant_audit(uuid) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION revela_erase_tenant_audit(uuid) TO revela_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION revela_erase_tenant_audit(uuid)`);
    await db.query(`DROP TABLE audit_events`);
  }
}
