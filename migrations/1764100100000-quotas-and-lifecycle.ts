import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Per-tenant quotas and retention (NULL: the configured default), and the job lifecycle's columns:
 * when a finished job's objects expire (`expires_at`) and were purged (`purged_at`), and a deletion
 * in progress (`deleting_at`: the objects go first, then the rows; a sweeper resumes it).
 */
export class QuotasAndLifecycle1764100100000 implements MigrationInterface {
  name = 'QuotasAndLifecycle1764100100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      ALTER TABLE tenant_limits
        ADD COLUMN storage_bytes bigint CHECK (storage_bytes >= 0),
        ADD COLUMN files_per_job integer CHECK (files_per_job >= 1),
        ADD COLUMN bytes_per_file bigint CHECK (bytes_per_file >= 1),
        ADD COLUMN concurrent_jobs integer CHECK (concurrent_jobs >= 1),
        ADD COLUMN processing_seconds_per_month bigint CHECK (processing_seconds_per_month >= 0),
        ADD COLUMN retention_days integer CHECK (retention_days >= 1)`);
    await db.query(
      `ALTER TABLE jobs ADD COLUMN expires_at timestamptz, ADD COLUMN purged_at timestamptz, ADD COLUMN deleting_at timestamptz`,
    );
    await db.query(`CREATE INDEX jobs_expiring ON jobs (expires_at) WHERE expires_at IS NOT NULL AND purged_at IS NULL`);
    await db.query(`CREATE INDEX jobs_deleting ON jobs (deleting_at) WHERE deleting_at IS NOT NULL`);
    await db.query(`CREATE INDEX job_files_finished_by_tenant ON job_files (tenant_id, finished_at) WHERE status IN ('done', 'failed')`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP INDEX job_files_finished_by_tenant');
    await db.query('DROP INDEX jobs_deleting');
    await db.query('DROP INDEX jobs_expiring');
    await db.query('ALTER TABLE jobs DROP COLUMN expires_at, DROP COLUMN purged_at, DROP COLUMN deleting_at');
    await db.query(`
      ALTER TABLE tenant_limits DROP COLUMN storage_bytes, DROP COLUMN files_per_job, DROP COLUMN bytes_per_file,
        DROP COLUMN concurrent_jobs, DROP COLUMN processing_seconds_per_month, DROP COLUMN retention_days`);
  }
}
