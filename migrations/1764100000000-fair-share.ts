import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Weighted fair share between tenants. `tenant_limits` holds each tenant's overrides (NULL: the
 * configured default); `tenant_fair_share` is the scheduler's state: a virtual time (`pass`) that
 * grows by 1/weight each time the tenant is served, so the claim serves the tenant with the lowest
 * pass (least recently served, weighted) first. The partial indexes keep the claim one indexed
 * statement whatever the backlog: active jobs per tenant in queue order, pending files per job in
 * upload order, and files in flight per tenant (the per-tenant cap).
 */
export class FairShare1764100000000 implements MigrationInterface {
  name = 'FairShare1764100000000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE tenant_limits (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        weight integer CHECK (weight BETWEEN 1 AND 100),
        max_files_in_flight integer CHECK (max_files_in_flight >= 1),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
    await db.query(`
      CREATE TABLE tenant_fair_share (
        tenant_id uuid PRIMARY KEY REFERENCES tenants(id) ON DELETE CASCADE,
        pass double precision NOT NULL DEFAULT 0,
        last_served_at timestamptz
      )`);
    await db.query(
      `INSERT INTO tenant_fair_share (tenant_id) SELECT DISTINCT tenant_id FROM jobs WHERE status IN ('queued', 'processing')`,
    );
    await db.query(`CREATE INDEX jobs_active_by_tenant ON jobs (tenant_id, queued_at, id) WHERE status IN ('queued', 'processing')`);
    await db.query(`CREATE INDEX job_files_pending_by_job ON job_files (job_id, created_at, id) WHERE status IN ('queued', 'processing')`);
    await db.query(`CREATE INDEX job_files_in_flight_by_tenant ON job_files (tenant_id, lease_until) WHERE status = 'processing'`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX job_files_in_flight_by_tenant');
    await db.query('DROP INDEX job_files_pending_by_job');
    await db.query('DROP INDEX jobs_active_by_tenant');
    await db.query('DROP TABLE tenant_fair_share');
    await db.query('DROP TABLE tenant_limits');
  }
}
