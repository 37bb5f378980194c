import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import {
  type Cursor,
  cursorParams,
  type FileOutput,
  type FileStatus,
  type JobStatus,
  keysetSql,
  RETRYABLE_JOB_STATUSES,
  rowsOf,
  type TenantContext,
  TERMINAL_JOB_STATUSES,
} from '#database';
import type { ProcessingPreset } from '#imaging';
import { emitWebhookEvent, type OutboxSql } from '../webhooks/outbox.js';
import { toJobDto } from './job.mapper.js';
import { expirySql } from './retention.js';
import { ACTIVATE_TENANT_SQL } from './workers/fair-claim.js';
import { recordAuditEvent } from '../audit/audit-trail.js';

export interface JobRow {
  id: string;
  name: string;
  status: JobStatus;
  preset: ProcessingPreset;
  createdAt: Date;
  queuedAt: Date | null;
  startedAt: Date | null;
  finishedAt: Date | null;
  archiveKey: string | null;
  archiveBytes: number | null;
  /** When the job's files (RAW, outputs, ZIP) are deleted; null until it finishes. */
  expiresAt: Date | null;
  /** When they were deleted (retention); the job's record stays. */
  purgedAt: Date | null;
  counts: Record<FileStatus, number>;
  workerMs: number;
}

export interface FileRow {
  id: string;
  jobId: string;
  filename: string;
  bytes: number;
  objectKey: string;
  multipartUploadId: string | null;
  status: FileStatus;
  attempts: number;
  error: string | null;
  source: string | null;
  outputs: FileOutput[];
  timings: Record<string, number> | null;
  createdAt: Date;
  finishedAt: Date | null;
}

const JOB_COLUMNS = `
  j.id, j.name, j.status, j.preset, j.created_at, j.queued_at, j.started_at, j.finished_at, j.archive_key, j.archive_bytes, j.expires_at, j.purged_at,
  (SELECT COALESCE(jsonb_object_agg(s.status, s.n), '{}'::jsonb)
     FROM (SELECT status, count(*) AS n FROM job_files WHERE job_id = j.id GROUP BY status) s) AS counts,
  (SELECT COALESCE(sum((timings->>'totalMs')::numeric), 0) FROM job_files WHERE job_id = j.id) AS worker_ms`;

const FILE_COLUMNS = `id, job_id, filename, bytes, object_key, multipart_upload_id, status, attempts, error, source, outputs, timings, created_at, finished_at`;

/** Jobs and their files. Every method takes the tenant and filters by it. */
@Injectable()
export class JobsRepository {
  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async create(ctx: TenantContext, name: string, preset: ProcessingPreset): Promise<JobRow> {
    const id = randomUUID();
    await this.db.query(`INSERT INTO jobs (id, tenant_id, name, preset) VALUES ($1, $2, $3, $4)`, [id, ctx.tenantId, name, preset]);
    return (await this.find(ctx, id))!;
  }

  async find(ctx: TenantContext, id: string): Promise<JobRow | undefined> {
    return selectJob(this.db, ctx.tenantId, id);
  }

  async list(ctx: TenantContext, limit: number, after: Cursor | undefined, status: JobStatus | undefined): Promise<JobRow[]> {
    const rows = rowsOf<JobRecord>(
      await this.db.query(
        `SELECT ${JOB_COLUMNS} FROM jobs j
        WHERE j.tenant_id = $1 AND j.deleting_at IS NULL
          AND ($2::text IS NULL OR j.status = $2)
          AND ${keysetSql('j', 3)}
        ORDER BY j.created_at, j.id LIMIT $5`,
        [ctx.tenantId, status ?? null, ...cursorParams(after), limit],
      ),
    );
    return rows.map(toJob);
  }

  /** Moves the job from one status to another; false when it was not in `from` any more. */
  async transition(
    ctx: TenantContext,
    id: string,
    from: readonly JobStatus[],
    to: JobStatus,
    fileUpdate?: { from: readonly FileStatus[]; to: FileStatus },
  ): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const moved: unknown = await manager.query(
        `UPDATE jobs SET status = $3,
                queued_at = CASE WHEN $3 = 'queued' THEN now() ELSE queued_at END,
                finished_at = CASE WHEN $3 = ANY($5::text[]) THEN now() ELSE finished_at END,
                expires_at = CASE WHEN $3 = ANY($5::text[]) THEN ${expirySql('$2', '$6')} ELSE expires_at END
          WHERE id = $1 AND tenant_id = $2 AND status = ANY($4::text[]) AND deleting_at IS NULL RETURNING id`,
        [id, ctx.tenantId, to, from, TERMINAL_JOB_STATUSES, this.config.jobs.retentionDays],
      );
      if (rowsOf(moved).length === 0) return false;
      // Queued work makes the tenant a candidate of the fair-share claim, in the same commit.
      if (to === 'queued') await manager.query(ACTIVATE_TENANT_SQL, [ctx.tenantId]);
      if (fileUpdate) {
        await manager.query(
          `UPDATE job_files SET status = $4, lease_owner = NULL, lease_until = NULL,
                  finished_at = CASE WHEN $4 = 'canceled' THEN now() ELSE finished_at END
            WHERE job_id = $1 AND tenant_id = $2 AND status = ANY($3::text[])`,
          [id, ctx.tenantId, fileUpdate.from, fileUpdate.to],
        );
      }
      // The job.canceled webhook commits with the cancellation, or not at all.
      if (to === 'canceled')
        await emitWebhookEvent(manager, ctx.tenantId, 'job.canceled', { job: toJobDto((await selectJob(manager, ctx.tenantId, id))!) });
      return true;
    });
  }

  /** Adds a file to a draft job; undefined when the job is no longer a draft. */
  async addFile(
    ctx: TenantContext,
    file: { id: string; jobId: string; filename: string; bytes: number; objectKey: string; multipartUploadId: string | null },
  ): Promise<FileRow | undefined> {
    const rows = rowsOf<FileRecord>(
      await this.db.query(
        `INSERT INTO job_files (id, tenant_id, job_id, filename, bytes, object_key, multipart_upload_id)
       SELECT $1, $2, $3, $4, $5, $6, $7 WHERE EXISTS (SELECT 1 FROM jobs WHERE id = $3 AND tenant_id = $2 AND status = 'draft')
       RETURNING ${FILE_COLUMNS}`,
        [file.id, ctx.tenantId, file.jobId, file.filename, file.bytes, file.objectKey, file.multipartUploadId],
      ),
    );
    return rows[0] ? toFile(rows[0]) : undefined;
  }

  async countFiles(ctx: TenantContext, jobId: string): Promise<number> {
    const [row] = rowsOf<CountRecord>(
      await this.db.query(`SELECT count(*) AS n FROM job_files WHERE job_id = $1 AND tenant_id = $2`, [jobId, ctx.tenantId]),
    );
    return Number(row.n);
  }

  async findFile(ctx: TenantContext, jobId: string, fileId: string): Promise<FileRow | undefined> {
    const rows = rowsOf<FileRecord>(
      await this.db.query(`SELECT ${FILE_COLUMNS} FROM job_files WHERE id = $1 AND job_id = $2 AND tenant_id = $3`, [
        fileId,
        jobId,
        ctx.tenantId,
      ]),
    );
    return rows[0] ? toFile(rows[0]) : undefined;
  }

  async listFiles(ctx: TenantContext, jobId: string, limit: number, after?: Cursor): Promise<FileRow[]> {
    const rows = rowsOf<FileRecord>(
      await this.db.query(
        `SELECT ${FILE_COLUMNS} FROM job_files
        WHERE job_id = $1 AND tenant_id = $2
          AND ${keysetSql(null, 3)}
        ORDER BY created_at, id LIMIT $5`,
        [jobId, ctx.tenantId, ...cursorParams(after), limit],
      ),
    );
    return rows.map(toFile);
  }

  /** The audit trail of a download: links were signed for the job (no row changes, so no transaction to join). */
  async recordDownload(ctx: TenantContext, jobId: string, details: { archive: boolean; links: number }): Promise<void> {
    await recordAuditEvent(this.db, {
      tenantId: ctx.tenantId,
      action: 'download.links_issued',
      target: { type: 'job', id: jobId },
      details,
    });
  }

  async allFiles(ctx: TenantContext, jobId: string): Promise<FileRow[]> {
    const rows = rowsOf<FileRecord>(
      await this.db.query(`SELECT ${FILE_COLUMNS} FROM job_files WHERE job_id = $1 AND tenant_id = $2 ORDER BY created_at, id`, [
        jobId,
        ctx.tenantId,
      ]),
    );
    return rows.map(toFile);
  }

  /** Renames a draft or changes its preset; false when the job is not a draft (any more). */
  async updateDraft(ctx: TenantContext, id: string, changes: { name?: string; preset?: ProcessingPreset }): Promise<boolean> {
    const rows: unknown = await this.db.query(
      `UPDATE jobs SET name = COALESCE($3, name), preset = COALESCE($4::jsonb, preset)
        WHERE id = $1 AND tenant_id = $2 AND status = 'draft' AND deleting_at IS NULL RETURNING id`,
      [id, ctx.tenantId, changes.name ?? null, changes.preset ? JSON.stringify(changes.preset) : null],
    );
    return rowsOf(rows).length === 1;
  }

  /** Removes a declared file from a draft; false when the job is no longer a draft or the file is gone. */
  async removeDraftFile(ctx: TenantContext, jobId: string, fileId: string): Promise<boolean> {
    const rows: unknown = await this.db.query(
      `DELETE FROM job_files f USING jobs j
        WHERE f.id = $1 AND f.job_id = $2 AND f.tenant_id = $3 AND j.id = f.job_id AND j.status = 'draft' RETURNING f.id`,
      [fileId, jobId, ctx.tenantId],
    );
    return rowsOf(rows).length === 1;
  }

  async setMultipart(ctx: TenantContext, fileId: string, uploadId: string): Promise<void> {
    await this.db.query(`UPDATE job_files SET multipart_upload_id = $3 WHERE id = $1 AND tenant_id = $2`, [fileId, ctx.tenantId, uploadId]);
  }

  /**
   * Puts the failed files of a finished job back in the queue with their attempts reset, and the job
   * with them (its ZIP is rebuilt when they finish). Answers how many files were re-queued; 0 when
   * the job is not finished with failures (nothing changes then).
   */
  async retryFailed(ctx: TenantContext, id: string): Promise<number> {
    return this.db.transaction(async (manager) => {
      const moved = rowsOf(
        await manager.query(
          `UPDATE jobs SET status = 'queued', queued_at = now(), finished_at = NULL, expires_at = NULL,
                  archive_key = NULL, archive_bytes = NULL, archive_owner = NULL, archive_lease_until = NULL, archive_upload_id = NULL
            WHERE id = $1 AND tenant_id = $2 AND status = ANY($3::text[]) AND purged_at IS NULL AND deleting_at IS NULL
              AND EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = $1 AND f.status = 'failed')
            RETURNING id`,
          [id, ctx.tenantId, RETRYABLE_JOB_STATUSES],
        ),
      );
      if (moved.length === 0) return 0;
      const files = rowsOf(
        await manager.query(
          `UPDATE job_files SET status = 'queued', attempts = 0, error = NULL, started_at = NULL, finished_at = NULL, lease_owner = NULL, lease_until = NULL
            WHERE job_id = $1 AND tenant_id = $2 AND status = 'failed' RETURNING id`,
          [id, ctx.tenantId],
        ),
      );
      await manager.query(ACTIVATE_TENANT_SQL, [ctx.tenantId]);
      return files.length;
    });
  }

  /**
   * The first step of deleting a finished job: it disappears from the API at once and the sweeper
   * finishes the deletion if this request does not. Answers the job's status when it could not be
   * marked (not finished), undefined when there is no such job.
   */
  async markDeleting(ctx: TenantContext, id: string): Promise<'marked' | JobStatus | undefined> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE jobs SET deleting_at = COALESCE(deleting_at, now())
          WHERE id = $1 AND tenant_id = $2 AND status = ANY($3::text[]) RETURNING id`,
        [id, ctx.tenantId, TERMINAL_JOB_STATUSES],
      ),
    );
    if (rows.length === 1) return 'marked';
    const [job] = rowsOf(
      await this.db.query(`SELECT status FROM jobs WHERE id = $1 AND tenant_id = $2 AND deleting_at IS NULL`, [id, ctx.tenantId]),
    );
    return job?.status as JobStatus | undefined;
  }

  async clearMultipart(ctx: TenantContext, fileId: string): Promise<void> {
    await this.db.query(`UPDATE job_files SET multipart_upload_id = NULL WHERE id = $1 AND tenant_id = $2`, [fileId, ctx.tenantId]);
  }
}

/** The columns of JOB_COLUMNS and FILE_COLUMNS as the driver returns them (bigint and numeric as strings). */
export interface JobRecord {
  id: string;
  name: string;
  status: JobStatus;
  preset: ProcessingPreset;
  created_at: Date;
  queued_at: Date | null;
  started_at: Date | null;
  finished_at: Date | null;
  archive_key: string | null;
  archive_bytes: string | number | null;
  expires_at: Date | null;
  purged_at: Date | null;
  counts: Partial<Record<FileStatus, string | number>>;
  worker_ms: string | number;
}

export interface FileRecord {
  id: string;
  job_id: string;
  filename: string;
  bytes: string | number;
  object_key: string;
  multipart_upload_id: string | null;
  status: FileStatus;
  attempts: number;
  error: string | null;
  source: string | null;
  outputs: FileOutput[] | null;
  timings: Record<string, number> | null;
  created_at: Date;
  finished_at: Date | null;
}

interface CountRecord {
  n: string;
}

/** A job with its counts, through any handle (a transaction's included). */
export async function selectJob(sql: OutboxSql, tenantId: string, id: string): Promise<JobRow | undefined> {
  const rows = rowsOf<JobRecord>(
    await sql.query(`SELECT ${JOB_COLUMNS} FROM jobs j WHERE j.id = $1 AND j.tenant_id = $2 AND j.deleting_at IS NULL`, [id, tenantId]),
  );
  return rows[0] ? toJob(rows[0]) : undefined;
}

/** A file of a job, through any handle (a transaction's included). */
export async function selectFile(sql: OutboxSql, tenantId: string, id: string): Promise<FileRow | undefined> {
  const rows = rowsOf<FileRecord>(
    await sql.query(`SELECT ${FILE_COLUMNS} FROM job_files WHERE id = $1 AND tenant_id = $2`, [id, tenantId]),
  );
  return rows[0] ? toFile(rows[0]) : undefined;
}

export function toJob(row: JobRecord): JobRow {
  const counts: Record<FileStatus, number> = { declared: 0, queued: 0, processing: 0, done: 0, failed: 0, canceled: 0 };
  for (const [status, n] of Object.entries(row.counts) as Array<[FileStatus, string | number]>) counts[status] = Number(n);
  return {
    id: row.id,
    name: row.name,
    status: row.status,
    preset: row.preset,
    createdAt: row.created_at,
    queuedAt: row.queued_at,
    startedAt: row.started_at,
    finishedAt: row.finished_at,
    archiveKey: row.archive_key,
    archiveBytes: row.archive_bytes === null ? null : Number(row.archive_bytes),
    expiresAt: row.expires_at,
    purgedAt: row.purged_at,
    counts,
    workerMs: Number(row.worker_ms),
  };
}

export function toFile(row: FileRecord): FileRow {
  return {
    id: row.id,
    jobId: row.job_id,
    filename: row.filename,
    bytes: Number(row.bytes),
    objectKey: row.object_key,
    multipartUploadId: row.multipart_upload_id,
    status: row.status,
    attempts: row.attempts,
    error: row.error,
    source: row.source,
    outputs: row.outputs ?? [],
    timings: row.timings,
    createdAt: row.created_at,
    finishedAt: row.finished_at,
  };
}
