import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ProcessingPreset } from '#imaging';
import {
  ACTIVE_JOB_STATUSES,
  type FileOutput,
  type FileStatus,
  finalJobStatus,
  type JobStatus,
  rowsOf,
  TERMINAL_FILE_STATUSES,
} from '#database';
import { emitWebhookEvent, type OutboxSql } from '../../webhooks/outbox.js';
import { selectFile, selectJob } from '../jobs.repository.js';
import { toJobDto, toJobFileDto } from '../job.mapper.js';
import { expirySql } from '../retention.js';
import { FAIR_CLAIM_SQL, tenantAtWork } from './fair-claim.js';

/** The file columns a claim returns. */
interface ClaimRecord {
  id: string;
  job_id: string;
  tenant_id: string;
  filename: string;
  object_key: string;
  attempts: number;
  preset: ProcessingPreset;
}

function toLeasedFile(row: ClaimRecord): LeasedFile {
  return {
    id: row.id,
    jobId: row.job_id,
    tenantId: row.tenant_id,
    filename: row.filename,
    objectKey: row.object_key,
    attempt: row.attempts,
    preset: row.preset,
  };
}

export interface LeasedFile {
  id: string;
  jobId: string;
  tenantId: string;
  filename: string;
  objectKey: string;
  attempt: number;
  preset: unknown;
}

export interface FileResult {
  outputs: FileOutput[];
  source: string;
  timings: Record<string, number>;
  warnings: string[];
}

export interface LeasedArchive {
  jobId: string;
  tenantId: string;
  name: string;
  files: Array<{ id: string; filename: string; outputs: FileOutput[] }>;
  counts: { done: number; failed: number; canceled: number };
}

/**
 * A file a worker may claim: queued, or processing under a lease that lapsed, with attempts left,
 * in a running job of a tenant at work. `f` and `j` are job_files and jobs; the arguments are parameter placeholders.
 */
function claimableFile(params: { maxAttempts: string; activeJobStatuses: string }): string {
  return `j.status = ANY(${params.activeJobStatuses}::text[]) AND ${tenantAtWork('j.tenant_id')}
    AND (f.status = 'queued' OR (f.status = 'processing' AND f.lease_until < now()))
    AND f.attempts < ${params.maxAttempts}`;
}

/** A running job of a tenant at work none of whose files awaits an outcome; `j` is jobs. */
function finishableJob(params: { activeJobStatuses: string; terminalFileStatuses: string }): string {
  return `j.status = ANY(${params.activeJobStatuses}::text[]) AND ${tenantAtWork('j.tenant_id')}
    AND NOT EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = j.id AND NOT (f.status = ANY(${params.terminalFileStatuses}::text[])))`;
}

/**
 * The queue behind the worker endpoints. Files are claimed with a lease (FOR UPDATE SKIP LOCKED),
 * and every write checks the caller still holds it, so a worker that lost its lease (killed,
 * stalled) can never overwrite the work of the one that took over.
 */
@Injectable()
export class JobQueueRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Files waiting for a worker (those whose lease lapsed included) that could be claimed at once:
   * per tenant, no more than its cap of files in flight allows, so capacity is not launched for
   * work the fair-share cap would hold back anyway.
   */
  async countClaimable(maxAttempts: number, defaultMaxInFlight = Number.MAX_SAFE_INTEGER): Promise<number> {
    const [row] = rowsOf<{ n: string | number }>(
      await this.db.query(
        `SELECT COALESCE(sum(LEAST(c.n, GREATEST(COALESCE(l.max_files_in_flight, $3) - c.in_flight, 0))), 0) AS n
         FROM (SELECT f.tenant_id, count(*) AS n,
                      (SELECT count(*) FROM job_files p WHERE p.tenant_id = f.tenant_id AND p.status = 'processing' AND p.lease_until >= now()) AS in_flight
                 FROM job_files f JOIN jobs j ON j.id = f.job_id
                WHERE ${claimableFile({ maxAttempts: '$1', activeJobStatuses: '$2' })}
                GROUP BY f.tenant_id) c
         LEFT JOIN tenant_limits l ON l.tenant_id = c.tenant_id`,
        [maxAttempts, ACTIVE_JOB_STATUSES, Math.min(defaultMaxInFlight, 2_147_483_647)],
      ),
    );
    return Number((row as { n: string }).n);
  }

  /**
   * Running jobs whose files are all finished and whose ZIP no worker is building (never started,
   * or its lease lapsed): work too, or a job whose archive step was interrupted would wait for the
   * next upload to bring a worker back.
   */
  async countArchivesDue(): Promise<number> {
    const [row] = rowsOf<{ n: string }>(
      await this.db.query(
        `SELECT count(*) AS n FROM jobs j
          WHERE ${finishableJob({ activeJobStatuses: '$1', terminalFileStatuses: '$2' })}
            AND (j.archive_lease_until IS NULL OR j.archive_lease_until < now())`,
        [ACTIVE_JOB_STATUSES, TERMINAL_FILE_STATUSES],
      ),
    );
    return Number(row?.n ?? 0);
  }

  /** Files whose worker vanished after their last allowed attempt: failed, with the reason (and a file.failed event each). */
  async failAbandoned(maxAttempts: number): Promise<void> {
    await this.db.transaction(async (manager) => {
      const failed = rowsOf<{ id: string; tenant_id: string }>(
        await manager.query(
          `UPDATE job_files SET status = 'failed', lease_owner = NULL, lease_until = NULL, finished_at = now(),
                  error = 'processing stopped ' || attempts || ' times (the worker stopped responding); giving up'
            WHERE status = 'processing' AND lease_until < now() AND attempts >= $1 RETURNING id, tenant_id`,
          [maxAttempts],
        ),
      );
      for (const file of failed) await emitFileFailed(manager, file.tenant_id, file.id);
    });
  }

  /** Leases the next file by the fair-share policy (see fair-claim.ts); undefined when none may be claimed. */
  async claim(
    workerId: string,
    settings: { leaseSeconds: number; maxAttempts: number; tenantMaxFilesInFlight: number },
  ): Promise<LeasedFile | undefined> {
    const [row] = rowsOf<ClaimRecord>(
      await this.db.query(FAIR_CLAIM_SQL, [settings.maxAttempts, workerId, settings.leaseSeconds, settings.tenantMaxFilesInFlight]),
    );
    return row ? toLeasedFile(row) : undefined;
  }

  /** A file with its status and lease holder, whoever holds it. */
  async describe(fileId: string): Promise<{ file: LeasedFile; status: FileStatus; leaseOwner: string | null } | undefined> {
    const rows = rowsOf<ClaimRecord & { status: FileStatus; lease_owner: string | null }>(
      await this.db.query(
        `SELECT f.id, f.job_id, f.tenant_id, f.filename, f.object_key, f.attempts, f.status, f.lease_owner, j.preset
         FROM job_files f JOIN jobs j ON j.id = f.job_id WHERE f.id = $1`,
        [fileId],
      ),
    );
    const row = rows[0];
    if (!row) return undefined;
    return {
      file: toLeasedFile(row),
      status: row.status,
      leaseOwner: row.lease_owner,
    };
  }

  /** Extends the lease; false when the lease was lost (the file was canceled or taken over). */
  async renew(fileId: string, workerId: string, leaseSeconds: number): Promise<boolean> {
    const rows: unknown = await this.db.query(
      `UPDATE job_files SET lease_until = now() + make_interval(secs => $3)
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING id`,
      [fileId, workerId, leaseSeconds],
    );
    return rowsOf(rows).length === 1;
  }

  /** Records the outputs; false (and nothing written) when this worker no longer holds the lease. */
  async complete(fileId: string, workerId: string, result: FileResult): Promise<boolean> {
    const rows: unknown = await this.db.query(
      `UPDATE job_files SET status = 'done', outputs = $3::jsonb, source = $4, timings = $5::jsonb,
              error = CASE WHEN $6::text = '' THEN NULL ELSE $6::text END,
              lease_owner = NULL, lease_until = NULL, finished_at = now()
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING id`,
      [fileId, workerId, JSON.stringify(result.outputs), result.source, JSON.stringify(result.timings), result.warnings.join('; ')],
    );
    return rowsOf(rows).length === 1;
  }

  /**
   * A failure. Permanent ones (the file itself is bad) fail at once; transient ones go back to the
   * queue until the attempts run out.
   */
  async fail(
    fileId: string,
    workerId: string,
    failure: { reason: string; permanent: boolean; timings?: Record<string, number> },
    maxAttempts: number,
  ): Promise<void> {
    await this.db.transaction(async (manager) => {
      const [file] = rowsOf<{ status: FileStatus; tenant_id: string }>(
        await manager.query(
          `UPDATE job_files
              SET status = CASE WHEN $4 OR attempts >= $5 THEN 'failed' ELSE 'queued' END,
                  finished_at = CASE WHEN $4 OR attempts >= $5 THEN now() ELSE NULL END,
                  error = $3, timings = COALESCE($6::jsonb, timings), lease_owner = NULL, lease_until = NULL
            WHERE id = $1 AND lease_owner = $2 AND status = 'processing' RETURNING status, tenant_id`,
          [fileId, workerId, failure.reason, failure.permanent, maxAttempts, failure.timings ? JSON.stringify(failure.timings) : null],
        ),
      );
      if (file?.status === 'failed') await emitFileFailed(manager, file.tenant_id, fileId);
    });
  }

  /** Gives a file back untouched (shutdown): the attempt does not count. */
  async release(fileId: string, workerId: string): Promise<void> {
    await this.db.query(
      `UPDATE job_files SET status = 'queued', attempts = GREATEST(attempts - 1, 0), lease_owner = NULL, lease_until = NULL
        WHERE id = $1 AND lease_owner = $2 AND status = 'processing'`,
      [fileId, workerId],
    );
  }

  /**
   * Leases the oldest job whose files are all finished for building its archive (one worker wins).
   * A worker may take back a lease it already holds: when the answer to its claim was lost (the
   * database or the API restarted after the lease committed), its retry gets the same job instead
   * of leaving it leased to nobody for the whole lease. `previousUploadId` is the multipart upload
   * an earlier attempt left open, for the caller to abort.
   */
  async claimArchive(workerId: string, leaseSeconds: number): Promise<(LeasedArchive & { previousUploadId: string | null }) | undefined> {
    const [job] = rowsOf<{ id: string; tenant_id: string; name: string; previous_upload_id: string | null }>(
      await this.db.query(
        `UPDATE jobs SET archive_lease_until = now() + make_interval(secs => $2), archive_owner = $1, archive_upload_id = NULL
           FROM (SELECT j.id, j.archive_upload_id FROM jobs j
                  WHERE ${finishableJob({ activeJobStatuses: '$3', terminalFileStatuses: '$4' })}
                    AND (j.archive_lease_until IS NULL OR j.archive_lease_until < now() OR j.archive_owner = $1)
                  ORDER BY j.queued_at, j.id LIMIT 1 FOR UPDATE SKIP LOCKED) previous
          WHERE jobs.id = previous.id
          RETURNING jobs.id, jobs.tenant_id, jobs.name, previous.archive_upload_id AS previous_upload_id`,
        [workerId, leaseSeconds, ACTIVE_JOB_STATUSES, TERMINAL_FILE_STATUSES],
      ),
    );
    if (!job) return undefined;
    const files = rowsOf<{ id: string; filename: string; status: FileStatus; outputs: FileOutput[] }>(
      await this.db.query(`SELECT id, filename, status, outputs FROM job_files WHERE job_id = $1 ORDER BY created_at, id`, [job.id]),
    );
    const count = (status: FileStatus) => files.filter((f) => f.status === status).length;
    return {
      jobId: job.id,
      tenantId: job.tenant_id,
      name: job.name,
      previousUploadId: job.previous_upload_id,
      files: files.filter((f) => f.status === 'done').map((f) => ({ id: f.id, filename: f.filename, outputs: f.outputs })),
      counts: { done: count('done'), failed: count('failed'), canceled: count('canceled') },
    };
  }

  /** The archive lease `workerId` holds on a job, with its upload; undefined when it holds none. */
  async heldArchive(jobId: string, workerId: string): Promise<{ tenantId: string; uploadId: string | null } | undefined> {
    const rows = rowsOf<{ tenant_id: string; archive_upload_id: string | null }>(
      await this.db.query(
        `SELECT tenant_id, archive_upload_id FROM jobs WHERE id = $1 AND archive_owner = $2 AND archive_lease_until > now() AND status = ANY($3::text[])`,
        [jobId, workerId, ACTIVE_JOB_STATUSES],
      ),
    );
    const row = rows[0];
    return row ? { tenantId: row.tenant_id, uploadId: row.archive_upload_id } : undefined;
  }

  async setArchiveUpload(jobId: string, uploadId: string | null): Promise<void> {
    await this.db.query(`UPDATE jobs SET archive_upload_id = $2 WHERE id = $1`, [jobId, uploadId]);
  }

  /**
   * Completes the job with its final status; counts come from the files, not from the caller. The
   * job.<status> webhook event commits with it.
   */
  async finishJob(jobId: string, workerId: string, archive: { key: string; bytes: number } | undefined): Promise<JobStatus | undefined> {
    return this.db.transaction(async (manager) => {
      const [counts] = rowsOf<{ done: string; failed: string }>(
        await manager.query(
          `SELECT count(*) FILTER (WHERE status = 'done') AS done, count(*) FILTER (WHERE status = 'failed') AS failed FROM job_files WHERE job_id = $1`,
          [jobId],
        ),
      );
      const status = finalJobStatus({ done: Number(counts?.done ?? 0), failed: Number(counts?.failed ?? 0) });
      const [finished] = rowsOf<{ tenant_id: string }>(
        await manager.query(
          `UPDATE jobs SET status = $3, finished_at = now(), archive_key = $4, archive_bytes = $5,
                  archive_lease_until = NULL, archive_owner = NULL, archive_upload_id = NULL,
                  expires_at = ${expirySql('jobs.tenant_id', '$7')}
            WHERE id = $1 AND archive_owner = $2 AND status = ANY($6::text[]) RETURNING tenant_id`,
          [jobId, workerId, status, archive?.key ?? null, archive?.bytes ?? null, ACTIVE_JOB_STATUSES, this.config.jobs.retentionDays],
        ),
      );
      if (!finished) return undefined;
      const job = (await selectJob(manager, finished.tenant_id, jobId))!;
      await emitWebhookEvent(manager, finished.tenant_id, `job.${status as 'completed' | 'completed_with_errors' | 'failed'}`, {
        job: toJobDto(job),
      });
      return status;
    });
  }

  async releaseArchive(jobId: string, workerId: string): Promise<void> {
    await this.db.query(
      `UPDATE jobs SET archive_lease_until = NULL, archive_owner = NULL, archive_upload_id = NULL WHERE id = $1 AND archive_owner = $2`,
      [jobId, workerId],
    );
  }
}

/** file.failed carries the job id and the file as `GET /v1/jobs/{id}/files` lists it. */
async function emitFileFailed(sql: OutboxSql, tenantId: string, fileId: string): Promise<void> {
  const file = (await selectFile(sql, tenantId, fileId))!;
  await emitWebhookEvent(sql, tenantId, 'file.failed', { jobId: file.jobId, file: toJobFileDto(file) });
}
