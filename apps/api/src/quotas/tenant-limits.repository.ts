import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf } from '#database';
import { recordAuditEvent } from '../audit/audit-trail.js';

/** A tenant's own limits; null means the configured default. */
export interface TenantLimitOverrides {
  weight: number | null;
  maxFilesInFlight: number | null;
  storageBytes: number | null;
  filesPerJob: number | null;
  bytesPerFile: number | null;
  concurrentJobs: number | null;
  processingSecondsPerMonth: number | null;
  retentionDays: number | null;
}

export const LIMIT_COLUMNS: Record<keyof TenantLimitOverrides, string> = {
  weight: 'weight',
  maxFilesInFlight: 'max_files_in_flight',
  storageBytes: 'storage_bytes',
  filesPerJob: 'files_per_job',
  bytesPerFile: 'bytes_per_file',
  concurrentJobs: 'concurrent_jobs',
  processingSecondsPerMonth: 'processing_seconds_per_month',
  retentionDays: 'retention_days',
};

export interface TenantUsage {
  storageBytes: number;
  filesProcessedThisMonth: number;
  workerSecondsThisMonth: number;
  photosThisMonth: number;
  activeJobs: number;
}

/** The calendar month in UTC. */
const MONTH_START = `(date_trunc('month', now() AT TIME ZONE 'UTC') AT TIME ZONE 'UTC')`;

/** `tenant_limits` and what a tenant uses, measured from the rows that hold it. */
@Injectable()
export class TenantLimitsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async tenantExists(tenantId: string): Promise<boolean> {
    return rowsOf(await this.db.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId])).length === 1;
  }

  async overrides(tenantId: string): Promise<TenantLimitOverrides> {
    const [row] = rowsOf(await this.db.query(`SELECT * FROM tenant_limits WHERE tenant_id = $1`, [tenantId]));
    const value = (column: string) => (row?.[column] === null || row?.[column] === undefined ? null : Number(row[column]));
    return Object.fromEntries(
      Object.entries(LIMIT_COLUMNS).map(([field, column]) => [field, value(column)]),
    ) as unknown as TenantLimitOverrides;
  }

  /**
   * Sets the given overrides (null: back to the default), leaving the others. A new retention
   * applies to the tenant's finished jobs whose files are still stored, in the same transaction.
   */
  async update(tenantId: string, changes: Partial<TenantLimitOverrides>, defaultRetentionDays: number): Promise<void> {
    const fields = Object.keys(changes) as Array<keyof TenantLimitOverrides>;
    if (fields.length === 0) return;
    const columns = fields.map((f) => LIMIT_COLUMNS[f]);
    const values = fields.map((f) => changes[f]);
    await this.db.transaction(async (manager) => {
      await manager.query(
        `INSERT INTO tenant_limits (tenant_id, ${columns.join(', ')}) VALUES ($1, ${columns.map((_, i) => `$${i + 2}`).join(', ')})
         ON CONFLICT (tenant_id) DO UPDATE SET ${columns.map((c) => `${c} = EXCLUDED.${c}`).join(', ')}, updated_at = now()`,
        [tenantId, ...values],
      );
      await recordAuditEvent(manager, {
        tenantId,
        action: 'tenant.limits_updated',
        target: { type: 'tenant', id: tenantId },
        details: { changes },
      });
      if ('retentionDays' in changes) {
        await manager.query(
          `UPDATE jobs SET expires_at = finished_at + make_interval(days => COALESCE($2::int, $3::int))
            WHERE tenant_id = $1 AND finished_at IS NOT NULL AND expires_at IS NOT NULL AND purged_at IS NULL AND deleting_at IS NULL`,
          [tenantId, changes.retentionDays, defaultRetentionDays],
        );
      }
    });
  }

  async usage(tenantId: string): Promise<TenantUsage> {
    const [row] = rowsOf(
      await this.db.query(
        `SELECT
           (SELECT COALESCE(sum(f.bytes), 0) FROM job_files f JOIN jobs j ON j.id = f.job_id WHERE f.tenant_id = $1 AND j.purged_at IS NULL)
         + (SELECT COALESCE(sum(o.bytes), 0) FROM job_files f JOIN jobs j ON j.id = f.job_id
              CROSS JOIN LATERAL (SELECT (e->>'bytes')::bigint AS bytes FROM jsonb_array_elements(f.outputs) e) o
             WHERE f.tenant_id = $1 AND j.purged_at IS NULL)
         + (SELECT COALESCE(sum(archive_bytes), 0) FROM jobs WHERE tenant_id = $1 AND purged_at IS NULL)
         + (SELECT COALESCE(sum(COALESCE(p.bytes, 0) + (SELECT COALESCE(sum((r->>'bytes')::bigint), 0) FROM jsonb_array_elements(p.renditions) r)), 0)
              FROM photos p WHERE p.tenant_id = $1 AND p.status <> 'failed') AS storage_bytes,
           (SELECT count(*) FROM job_files WHERE tenant_id = $1 AND status IN ('done', 'failed') AND finished_at >= ${MONTH_START}) AS files_processed,
           (SELECT COALESCE(sum((timings->>'totalMs')::numeric), 0) / 1000 FROM job_files
             WHERE tenant_id = $1 AND status IN ('done', 'failed') AND finished_at >= ${MONTH_START}) AS worker_seconds,
           (SELECT count(*) FROM photos WHERE tenant_id = $1 AND created_at >= ${MONTH_START}) AS photos,
           (SELECT count(*) FROM jobs WHERE tenant_id = $1 AND status IN ('queued', 'processing')) AS active_jobs`,
        [tenantId],
      ),
    );
    return {
      storageBytes: Number(row.storage_bytes),
      filesProcessedThisMonth: Number(row.files_processed),
      workerSecondsThisMonth: Math.round(Number(row.worker_seconds) * 10) / 10,
      photosThisMonth: Number(row.photos),
      activeJobs: Number(row.active_jobs),
    };
  }
}
