import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * A job's files belong to the job's tenant, enforced by the database: job_files references
 * jobs by (tenant_id, id), so no row can pair one tenant's file with another tenant's job.
 */
export class JobFilesTenantFk1764000003000 implements MigrationInterface {
  name = 'JobFilesTenantFk1764000003000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs ADD CONSTRAINT jobs_tenant_id_key UNIQUE (tenant_id, id)`);
    await db.query(`ALTER TABLE job_files DROP CONSTRAINT IF EXISTS job_files_job_id_fkey`);
    await db.query(
      `ALTER TABLE job_files ADD CONSTRAINT job_files_job_fkey FOREIGN KEY (tenant_id, job_id) REFERENCES jobs (tenant_id, id) ON DELETE CASCADE`,
    );
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE job_files DROP CONSTRAINT job_files_job_fkey`);
    await db.query(
      `ALTER TABLE job_files ADD CONSTRAINT job_files_job_id_fkey FOREIGN KEY (job_id) REFERENCES jobs (id) ON DELETE CASCADE`,
    );
    await db.query(`ALTER TABLE jobs DROP CONSTRAINT jobs_tenant_id_key`);
  }
}
