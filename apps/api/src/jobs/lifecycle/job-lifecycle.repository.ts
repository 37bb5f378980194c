import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf } from '#database';
import { keys } from '#storage';

export interface JobRef {
  id: string;
  tenantId: string;
}

export interface OpenUpload {
  key: string;
  uploadId: string;
  bucket: 'raw' | 'processed';
}

/** The sweeper's view of jobs across tenants: deletions to finish and files past their retention. */
@Injectable()
export class JobLifecycleRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Jobs marked for deletion whose deletion has not finished (interrupted, or not yet done). */
  async deletionsDue(limit: number): Promise<JobRef[]> {
    const rows: unknown = await this.db.query(
      `SELECT id, tenant_id FROM jobs WHERE deleting_at IS NOT NULL ORDER BY deleting_at LIMIT $1`,
      [limit],
    );
    return rowsOf<{ id: string; tenant_id: string }>(rows).map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }

  /** Finished jobs past their expiry whose files are still stored. */
  async expiredDue(limit: number): Promise<JobRef[]> {
    const rows: unknown = await this.db.query(
      `SELECT id, tenant_id FROM jobs WHERE expires_at < now() AND purged_at IS NULL AND deleting_at IS NULL ORDER BY expires_at LIMIT $1`,
      [limit],
    );
    return rowsOf<{ id: string; tenant_id: string }>(rows).map((r) => ({ id: r.id, tenantId: r.tenant_id }));
  }

  /** Multipart uploads a job may still have open (declared files, an unfinished ZIP). */
  async openUploads(job: JobRef): Promise<OpenUpload[]> {
    const files = rowsOf<{ object_key: string; multipart_upload_id: string }>(
      await this.db.query(
        `SELECT object_key, multipart_upload_id FROM job_files WHERE job_id = $1 AND tenant_id = $2 AND multipart_upload_id IS NOT NULL`,
        [job.id, job.tenantId],
      ),
    );
    const archives = rowsOf<{ archive_upload_id: string }>(
      await this.db.query(`SELECT archive_upload_id FROM jobs WHERE id = $1 AND tenant_id = $2 AND archive_upload_id IS NOT NULL`, [
        job.id,
        job.tenantId,
      ]),
    );
    return [
      ...files.map((r): OpenUpload => ({ key: r.object_key, uploadId: r.multipart_upload_id, bucket: 'raw' })),
      ...archives.map((r): OpenUpload => ({
        key: keys.jobArchive(job.tenantId, job.id),
        uploadId: r.archive_upload_id,
        bucket: 'processed',
      })),
    ];
  }

  /** The last step of a deletion, once the objects are gone: the job and its files. */
  async removeRows(job: JobRef): Promise<void> {
    await this.db.query(`DELETE FROM jobs WHERE id = $1 AND tenant_id = $2 AND deleting_at IS NOT NULL`, [job.id, job.tenantId]);
  }

  async markPurged(job: JobRef): Promise<void> {
    await this.db.query(`UPDATE jobs SET purged_at = now(), archive_upload_id = NULL WHERE id = $1 AND tenant_id = $2`, [
      job.id,
      job.tenantId,
    ]);
  }
}
