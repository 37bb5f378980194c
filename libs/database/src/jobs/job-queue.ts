import type { Sql } from './sql.js';
import { finalJobStatus, type JobStatus } from '../status/job-status.js';

export interface ClaimedFile {
  id: string;
  jobId: string;
  tenantId: string;
  filename: string;
  objectKey: string;
  attempt: number;
  preset: unknown;
}

export interface FileOutput {
  variant: string;
  key: string;
  format: string;
  contentType: string;
  extension: string;
  width: number;
  height: number;
  bytes: number;
}

export interface FileResult {
  outputs: FileOutput[];
  source: string;
  timings: Record<string, number>;
  warnings: string[];
}

export interface ArchiveClaim {
  jobId: string;
  tenantId: string;
  name: string;
  files: Array<{ id: string; filename: string; outputs: FileOutput[] }>;
  counts: { done: number; failed: number; canceled: number };
}

/**
 * The batch worker's side of the queue. Files are claimed with a lease (FOR UPDATE SKIP LOCKED),
 * and every write checks the caller still holds it, so a worker that lost its lease (killed,
 * stalled) can never overwrite the work of the one that took over.
 */
export class JobQueue {
  constructor(
    private readonly sql: Sql,
    private readonly settings: { leaseSeconds: number; maxAttempts: number },
  ) {}

  /** Files whose worker vanished after their last allowed attempt: failed, with the reason. */
  async failAbandoned(): Promise<string[]> {
    const rows = await this.sql.query<{ job_id: string }>(
      `UPDATE job_files SET status = 'failed', lease_owner = NULL, lease_until = NULL, finished_at = now(),
              error = 'processing stopped ' || attempts || ' times (the worker stopped responding); giving up'
        WHERE status = 'processing' AND lease_until < now() AND attempts >= $1
        RETURNING job_id`,
      [this.settings.maxAttempts],
    );
    return [...new Set(rows.map((r) => r.job_id))];
  }

  async claim(workerId: string): Promise<ClaimedFile | undefined> {
    const rows = await this.sql.query<{
      id: string;
      job_id: string;
      tenant_id: string;
      filename: string;
      object_key: string;
      attempts: number;
    }>(
      `WITH next AS (
         SELECT f.id FROM job_files f JOIN jobs j ON j.id = f.job_id
          WHERE j.status IN ('queued', 'processing')
            AND (f.status = 'queued' OR (f.status = 'processing' AND f.lease_until < now()))
            AND f.attempts < $2
          ORDER BY f.created_at, f.id
          LIMIT 1
          FOR UPDATE OF f SKIP LOCKED)
       UPDATE job_files f
          SET status = 'processing', attempts = f.attempts + 1, lease_owner = $1,
              lease_until = now() + make_interval(secs => $3), started_at = now(), error = NULL
         FROM next WHERE f.id = next.id
       RETURNING f.id, f.job_id, f.tenant_id, f.filename, f.object_key, f.attempts`,
      [workerId, this.settings.maxAttempts, this.settings.leaseSeconds],
    );
    const row = rows[0];
    if (!row) return undefined;
    const [job] = await this.sql.query<{ preset: unknown }>(
      `UPDATE jobs SET status = CASE WHEN status = 'queued' THEN 'processing' ELSE status END,
                       started_at = COALESCE(started_at, now())
        WHERE id = $1 RETURNING preset`,
      [row.job_id],
    );
    return {
      id: row.id,
      jobId: row.job_id,
      tenantId: row.tenant_id,
      filename: row.filename,
      objectKey: row.object_key,
      attempt: row.attempts,
      preset: job?.preset,
    };
  }

  /** Extends the lease; false when the lease was lost (the file was canceled or taken over). */
  async renew(fileId: string, workerId: string): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE job_files SET lease_until = now() + make_interval(secs => $3)
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING id`,
      [fileId, workerId, this.settings.leaseSeconds],
    );
    return rows.length === 1;
  }

  /** Records the outputs; false (and nothing written) when this worker no longer holds the lease. */
  async complete(fileId: string, workerId: string, result: FileResult): Promise<boolean> {
    const rows = await this.sql.query(
      `UPDATE job_files SET status = 'done', outputs = $3::jsonb, source = $4, timings = $5::jsonb,
              error = CASE WHEN $6::text = '' THEN NULL ELSE $6::text END,
              lease_owner = NULL, lease_until = NULL, finished_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING id`,
      [fileId, workerId, JSON.stringify(result.outputs), result.source, JSON.stringify(result.timings), result.warnings.join('; ')],
    );
    return rows.length === 1;
  }

  /**
   * A failure. Permanent ones (the file itself is bad) fail at once; transient ones go back to the
   * queue until the attempts run out.
   */
  async fail(fileId: string, workerId: string, reason: string, permanent: boolean, timings?: Record<string, number>): Promise<void> {
    await this.sql.query(
      `UPDATE job_files
          SET status = CASE WHEN $4 OR attempts >= $5 THEN 'failed' ELSE 'queued' END,
              finished_at = CASE WHEN $4 OR attempts >= $5 THEN now() ELSE NULL END,
              error = $3, timings = COALESCE($6::jsonb, timings), lease_owner = NULL, lease_until = NULL
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing'`,
      [fileId, workerId, reason, permanent, this.settings.maxAttempts, timings ? JSON.stringify(timings) : null],
    );
  }

  async isCanceled(fileId: string): Promise<boolean> {
    const rows = await this.sql.query(`SELECT 1 FROM job_files WHERE id = $1 AND status = 'canceled'`, [fileId]);
    return rows.length === 1;
  }

  /** Gives a file back untouched (shutdown): the attempt does not count. */
  async release(fileId: string, workerId: string): Promise<void> {
    await this.sql.query(
      `UPDATE job_files SET status = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing'`,
      [fileId, workerId],
    );
  }

  /** Jobs that have nothing left to process but are not finished yet (also recovers a dead archiver). */
  async finishableJobs(): Promise<string[]> {
    const rows = await this.sql.query<{ id: string }>(
      `SELECT j.id FROM jobs j
        WHERE j.status IN ('queued', 'processing')
          AND (j.archive_lease_until IS NULL OR j.archive_lease_until < now())
          AND NOT EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = j.id AND f.status NOT IN ('done', 'failed', 'canceled'))`,
    );
    return rows.map((r) => r.id);
  }

  /** Takes the right to build a job's archive, once every file is terminal. */
  async claimArchive(jobId: string, leaseSeconds: number): Promise<ArchiveClaim | undefined> {
    const [job] = await this.sql.query<{ id: string; tenant_id: string; name: string }>(
      `UPDATE jobs SET archive_lease_until = now() + make_interval(secs => $2)
        WHERE id = $1 AND status IN ('queued', 'processing')
          AND (archive_lease_until IS NULL OR archive_lease_until < now())
          AND NOT EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = $1 AND f.status NOT IN ('done', 'failed', 'canceled'))
        RETURNING id, tenant_id, name`,
      [jobId, leaseSeconds],
    );
    if (!job) return undefined;
    const files = await this.sql.query<{ id: string; filename: string; status: string; outputs: FileOutput[] }>(
      `SELECT id, filename, status, outputs FROM job_files WHERE job_id = $1 ORDER BY created_at, id`,
      [jobId],
    );
    const count = (status: string) => files.filter((f) => f.status === status).length;
    return {
      jobId: job.id,
      tenantId: job.tenant_id,
      name: job.name,
      files: files.filter((f) => f.status === 'done').map((f) => ({ id: f.id, filename: f.filename, outputs: f.outputs })),
      counts: { done: count('done'), failed: count('failed'), canceled: count('canceled') },
    };
  }

  async finishJob(claim: ArchiveClaim, archive: { key: string; bytes: number } | undefined): Promise<JobStatus> {
    const status = finalJobStatus(claim.counts);
    await this.sql.query(
      `UPDATE jobs SET status = $2, finished_at = now(), archive_key = $3, archive_bytes = $4, archive_lease_until = NULL
        WHERE id = $1 AND status IN ('queued', 'processing')`,
      [claim.jobId, status, archive?.key ?? null, archive?.bytes ?? null],
    );
    return status;
  }

  async releaseArchive(jobId: string): Promise<void> {
    await this.sql.query(`UPDATE jobs SET archive_lease_until = NULL WHERE id = $1`, [jobId]);
  }
}
