import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { API_KEY_SCOPES, type ApiKeyEntity, type Cursor, cursorParams, keysetSql, rowsOf, TenantEntity, type TenantKind } from '#database';

export type AdminTenantStatus = 'active' | 'suspended' | 'deleting';

export interface TenantUsageRow {
  id: string;
  name: string;
  kind: TenantKind;
  createdAt: Date;
  status: AdminTenantStatus;
  usage: { activeApiKeys: number; animals: number; photos: number; jobs: number; jobFiles: number };
}

interface UsageSqlRow {
  id: string;
  name: string;
  kind: TenantKind;
  created_at: Date;
  suspended_at: Date | null;
  deleting_at: Date | null;
  active_api_keys: number;
  animals: number;
  photos: number;
  jobs: number;
  job_files: number;
}

/** Every tenant with what it holds; runs in the admin routes' system scope. */
const TENANTS_WITH_USAGE = `
  SELECT t.id, t.name, t.kind, t.created_at, t.suspended_at, t.deleting_at,
         (SELECT count(*) FROM api_keys k WHERE k.tenant_id = t.id AND k.revoked_at IS NULL)::int AS active_api_keys,
         (SELECT count(*) FROM animals a WHERE a.tenant_id = t.id)::int AS animals,
         (SELECT count(*) FROM photos p WHERE p.tenant_id = t.id)::int AS photos,
         (SELECT count(*) FROM jobs j WHERE j.tenant_id = t.id)::int AS jobs,
         (SELECT count(*) FROM job_files f WHERE f.tenant_id = t.id)::int AS job_files
    FROM tenants t`;

function toUsageRow(row: UsageSqlRow): TenantUsageRow {
  return {
    id: row.id,
    name: row.name,
    kind: row.kind,
    createdAt: row.created_at,
    status: row.deleting_at ? 'deleting' : row.suspended_at ? 'suspended' : 'active',
    usage: { activeApiKeys: row.active_api_keys, animals: row.animals, photos: row.photos, jobs: row.jobs, jobFiles: row.job_files },
  };
}
import type { IssuedApiKey } from './api-key-token.js';
import { insertApiKey, keyDetails } from './api-keys.repository.js';
import { recordAuditEvent } from '../audit/audit-trail.js';

@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Sets or clears the suspension, with its audit event; false when there is no such tenant. */
  async setSuspended(id: string, suspended: boolean): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      const rows: unknown = await manager.query(
        `UPDATE tenants SET suspended_at = CASE WHEN $2 THEN coalesce(suspended_at, now()) END WHERE id = $1 AND deleting_at IS NULL RETURNING id`,
        [id, suspended],
      );
      if (rowsOf(rows).length !== 1) return false;
      await recordAuditEvent(manager, {
        tenantId: id,
        action: suspended ? 'tenant.suspended' : 'tenant.resumed',
        target: { type: 'tenant', id },
      });
      return true;
    });
  }

  async listWithUsage(limit: number, after?: Cursor): Promise<TenantUsageRow[]> {
    const rows: unknown = await this.db.query(`${TENANTS_WITH_USAGE} WHERE ${keysetSql('t', 1)} ORDER BY t.created_at, t.id LIMIT $3`, [
      ...cursorParams(after),
      limit,
    ]);
    return rowsOf<UsageSqlRow>(rows).map(toUsageRow);
  }

  async findWithUsage(id: string): Promise<TenantUsageRow | undefined> {
    const [row] = rowsOf<UsageSqlRow>(await this.db.query(`${TENANTS_WITH_USAGE} WHERE t.id = $1`, [id]));
    return row ? toUsageRow(row) : undefined;
  }

  /**
   * A key with every scope for an existing tenant (the platform admin's recovery key), or undefined
   * when there is no such tenant. Runs in the admin route's system scope.
   */
  async addRecoveryKey(tenantId: string, key: IssuedApiKey, keyName: string): Promise<ApiKeyEntity | undefined> {
    return this.db.transaction(async (manager) => {
      const [tenant] = rowsOf(await manager.query(`SELECT id FROM tenants WHERE id = $1 AND deleting_at IS NULL`, [tenantId]));
      if (!tenant) return undefined;
      const apiKey = await insertApiKey(manager, tenantId, keyName, key, { scopes: [...API_KEY_SCOPES], expiresAt: null });
      await recordAuditEvent(manager, {
        tenantId,
        action: 'tenant.recovery_key_issued',
        target: { type: 'api_key', id: apiKey.id },
        details: keyDetails(apiKey),
      });
      return apiKey;
    });
  }

  /** Creates the tenant and its first key atomically: no tenant without a way in. */
  async createWithKey(
    input: { name: string; kind: TenantKind },
    key: IssuedApiKey,
    keyName: string,
  ): Promise<{
    tenant: TenantEntity;
    apiKey: ApiKeyEntity;
  }> {
    return this.db.transaction(async (manager) => {
      const tenant = await manager.save(manager.create(TenantEntity, { id: randomUUID(), ...input }));
      // The first key can do everything, key management included: it is the tenant's way in.
      const apiKey = await insertApiKey(manager, tenant.id, keyName, key, { scopes: [...API_KEY_SCOPES], expiresAt: null });
      await recordAuditEvent(manager, {
        tenantId: tenant.id,
        action: 'tenant.created',
        target: { type: 'tenant', id: tenant.id },
        details: { name: tenant.name, kind: tenant.kind, firstKey: keyDetails(apiKey) },
      });
      return { tenant, apiKey };
    });
  }
}
