import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { keys } from '#storage';
import { rowsOf } from '#database';
import { recordAuditEvent } from '../audit/audit-trail.js';
import type { KnownUpload } from './tenant-storage.js';

/**
 * The rows of a tenant's deletion; runs in the system scope (platform admin, or the resume at start).
 * Its events are platform events (no tenant): they outlive the tenant whose log is erased with it.
 */
@Injectable()
export class TenantDeletionRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * Marks the tenant for deletion (from then on its keys find no owner and its work is not claimed).
   * Answers whether the tenant exists; the mark and its event are written once.
   */
  async markDeleting(tenantId: string): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const marked = rowsOf(
        await manager.query(`UPDATE tenants SET deleting_at = now() WHERE id = $1 AND deleting_at IS NULL RETURNING id`, [tenantId]),
      );
      if (marked.length === 1) {
        await recordAuditEvent(manager, { tenantId: null, action: 'tenant.deletion_started', target: { type: 'tenant', id: tenantId } });
        return true;
      }
      return rowsOf(await manager.query(`SELECT 1 FROM tenants WHERE id = $1`, [tenantId])).length === 1;
    });
  }

  /** Whether a deletion of this tenant has completed (its platform event says so). */
  async wasDeleted(tenantId: string): Promise<boolean> {
    const rows: unknown = await this.db.query(
      `SELECT 1 FROM audit_events WHERE tenant_id IS NULL AND action = 'tenant.deleted' AND target_type = 'tenant' AND target_id = $1 LIMIT 1`,
      [tenantId],
    );
    return rowsOf(rows).length > 0;
  }

  /** Multipart uploads the tenant's rows still name: RAW files declared but not completed, ZIPs being built. */
  async knownUploads(tenantId: string): Promise<KnownUpload[]> {
    const files = rowsOf<{ object_key: string; multipart_upload_id: string }>(
      await this.db.query(
        `SELECT object_key, multipart_upload_id FROM job_files WHERE tenant_id = $1 AND multipart_upload_id IS NOT NULL`,
        [tenantId],
      ),
    );
    const archives = rowsOf<{ id: string; archive_upload_id: string }>(
      await this.db.query(`SELECT id, archive_upload_id FROM jobs WHERE tenant_id = $1 AND archive_upload_id IS NOT NULL`, [tenantId]),
    );
    return [
      ...files.map((f): KnownUpload => ({ bucket: 'raw', key: f.object_key, uploadId: f.multipart_upload_id })),
      ...archives.map((j): KnownUpload => ({ bucket: 'processed', key: keys.jobArchive(tenantId, j.id), uploadId: j.archive_upload_id })),
    ];
  }

  /** Tenants whose deletion was started and not finished (an interrupted request, a restart). */
  async unfinished(): Promise<string[]> {
    return rowsOf<{ id: string }>(await this.db.query(`SELECT id FROM tenants WHERE deleting_at IS NOT NULL ORDER BY deleting_at`)).map(
      (r) => r.id,
    );
  }

  /**
   * Deletes every row of a tenant marked for deletion, in one transaction: its audit log (through
   * the one function allowed to), its idempotency records, then the tenant row, which cascades to
   * every table with a `tenant_id`. Records the platform event; false when nothing was left.
   */
  async deleteRows(tenantId: string, purged: { objects: number; uploads: number }): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      await manager.query(`SELECT revela_erase_tenant_audit($1)`, [tenantId]);
      await manager.query(`DELETE FROM idempotency_keys WHERE scope = 'tenant:' || $1::text`, [tenantId]);
      const deleted = rowsOf(await manager.query(`DELETE FROM tenants WHERE id = $1 AND deleting_at IS NOT NULL RETURNING id`, [tenantId]));
      if (deleted.length === 0) return false;
      await recordAuditEvent(manager, {
        tenantId: null,
        action: 'tenant.deleted',
        target: { type: 'tenant', id: tenantId },
        details: { objectsDeleted: purged.objects, uploadsAborted: purged.uploads },
      });
      return true;
    });
  }
}
