import type { MigrationInterface, QueryRunner } from 'typeorm';

const BYPASS = `(SELECT coalesce(current_setting('revela.bypass', true), '') = 'on')`;
const TENANT = `(SELECT nullif(current_setting('revela.tenant_id', true), '')::uuid)`;
const TABLES = ['tenant_limits', 'tenant_fair_share'];

/**
 * The tables of fair share and quotas hold one row per tenant: they get the same wall as every
 * tenant-owned table (migration 1764000000000). A tenant's requests see and activate only their own
 * row; the claim, the sweepers and the admin API read across tenants in the system scope.
 */
export class FairShareTenantWall1764200000000 implements MigrationInterface {
  name = 'FairShareTenantWall1764200000000';

  async up(db: QueryRunner): Promise<void> {
    for (const table of TABLES) {
      await db.query(`ALTER TABLE ${table} ENABLE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} FORCE ROW LEVEL SECURITY`);
      await db.query(
        `CREATE POLICY tenant_wall ON ${table} USING (${BYPASS} OR tenant_id = ${TENANT}) WITH CHECK (${BYPASS} OR tenant_id = ${TENANT})`,
      );
    }
    // A tenant that queues work joins the rotation level with the least-served active tenant, which
    // its own scope cannot see: this one statement reads the others' pass, and writes only its row.
    await db.query(`
      CREATE FUNCTION revela_activate_tenant(activated uuid) RETURNS void
      LANGUAGE sql VOLATILE
      SET revela.bypass = 'on'
      AS $$
        INSERT INTO tenant_fair_share (tenant_id, pass)
        VALUES (activated, (SELECT COALESCE(min(s.pass), 0) FROM tenant_fair_share s
                             WHERE s.tenant_id <> activated
                               AND EXISTS (SELECT 1 FROM jobs j WHERE j.tenant_id = s.tenant_id AND j.status IN ('queued', 'processing'))))
        ON CONFLICT (tenant_id) DO UPDATE SET pass = GREATEST(tenant_fair_share.pass, EXCLUDED.pass)
      $$`);
    await db.query(`REVOKE ALL ON FUNCTION revela_activate_tenant(uuid) FROM PUBLIC`);
    await db.query(`GRANT EXECUTE ON FUNCTION revela_activate_tenant(uuid) TO revela_app`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`DROP FUNCTION revela_activate_tenant(uuid)`);
    for (const table of TABLES) {
      await db.query(`DROP POLICY tenant_wall ON ${table}`);
      await db.query(`ALTER TABLE ${table} NO FORCE ROW LEVEL SECURITY`);
      await db.query(`ALTER TABLE ${table} DISABLE ROW LEVEL SECURITY`);
    }
  }
}
