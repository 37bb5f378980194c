import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Workers authenticate to the API with their own token (only its hash is stored) instead of
 * holding database and S3 credentials; the API keeps the ZIP's multipart upload id while a worker
 * streams the archive through presigned parts.
 */
export class WorkerCredentials1763800300000 implements MigrationInterface {
  name = 'WorkerCredentials1763800300000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE workers ADD COLUMN token_hash bytea, ADD COLUMN token_expires_at timestamptz`);
    await db.query(`CREATE UNIQUE INDEX workers_token ON workers (token_hash) WHERE token_hash IS NOT NULL`);
    await db.query(`ALTER TABLE jobs ADD COLUMN archive_upload_id text, ADD COLUMN archive_owner uuid`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query(`ALTER TABLE jobs DROP COLUMN archive_upload_id, DROP COLUMN archive_owner`);
    await db.query(`DROP INDEX workers_token`);
    await db.query(`ALTER TABLE workers DROP COLUMN token_hash, DROP COLUMN token_expires_at`);
  }
}
