import type { MigrationInterface, QueryRunner } from 'typeorm';

export class JobsFilesWorkers1763800100000 implements MigrationInterface {
  name = 'JobsFilesWorkers1763800100000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE jobs (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        name text NOT NULL,
        preset jsonb NOT NULL,
        status text NOT NULL DEFAULT 'draft'
          CHECK (status IN ('draft', 'queued', 'processing', 'completed', 'completed_with_errors', 'failed', 'canceled')),
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        queued_at timestamptz,
        started_at timestamptz,
        finished_at timestamptz,
        archive_key text,
        archive_bytes bigint,
        archive_lease_until timestamptz
      )`);
    await db.query(`CREATE INDEX jobs_tenant_created ON jobs (tenant_id, created_at, id)`);
    await db.query(`
      CREATE TABLE job_files (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        job_id uuid NOT NULL REFERENCES jobs(id) ON DELETE CASCADE,
        filename text NOT NULL,
        bytes bigint NOT NULL CHECK (bytes > 0),
        object_key text NOT NULL,
        multipart_upload_id text,
        status text NOT NULL DEFAULT 'declared'
          CHECK (status IN ('declared', 'queued', 'processing', 'done', 'failed', 'canceled')),
        attempts integer NOT NULL DEFAULT 0,
        lease_owner uuid,
        lease_until timestamptz,
        error text,
        source text,
        outputs jsonb NOT NULL DEFAULT '[]',
        timings jsonb,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        started_at timestamptz,
        finished_at timestamptz
      )`);
    await db.query(`CREATE INDEX job_files_job ON job_files (job_id, created_at, id)`);
    await db.query(`CREATE INDEX job_files_claimable ON job_files (created_at) WHERE status IN ('queued', 'processing')`);
    await db.query(`
      CREATE TABLE workers (
        id uuid PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('local', 'ec2')),
        instance_id text,
        pid integer,
        started_at timestamptz NOT NULL DEFAULT now(),
        last_heartbeat_at timestamptz,
        stopped_at timestamptz,
        stop_reason text
      )`);
    await db.query(`CREATE INDEX workers_running ON workers (started_at) WHERE stopped_at IS NULL`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE workers');
    await db.query('DROP TABLE job_files');
    await db.query('DROP TABLE jobs');
  }
}
