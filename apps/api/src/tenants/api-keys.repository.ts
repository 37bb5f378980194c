import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type pg from 'pg';
import type { DataSource, EntityManager, Repository } from 'typeorm';
import type { PostgresDriver } from 'typeorm/driver/postgres/PostgresDriver.js';
import { ApiKeyEntity, type ApiKeyScope, type Cursor, pageAfter, rowsOf, type TenantContext, type TenantKind } from '#database';
import { recordAuditEvent } from '../audit/audit-trail.js';
import type { IssuedApiKey } from './api-key-token.js';

/** The one place an API key row is written: by key creation, and with a new tenant's first key. */
export interface ApiKeyRights {
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
}

export function insertApiKey(
  manager: EntityManager,
  tenantId: string,
  name: string,
  key: IssuedApiKey,
  rights: ApiKeyRights,
): Promise<ApiKeyEntity> {
  return manager.save(
    manager.create(ApiKeyEntity, {
      id: randomUUID(),
      tenantId,
      name,
      prefix: key.prefix,
      secretHash: key.secretHash,
      lastUsedAt: null,
      revokedAt: null,
      scopes: rights.scopes,
      expiresAt: rights.expiresAt,
    }),
  );
}

/** What the audit log keeps about a key it names (never its secret). */
export function keyDetails(key: ApiKeyEntity): Record<string, unknown> {
  return { name: key.name, prefix: key.prefix, scopes: key.scopes, expiresAt: key.expiresAt?.toISOString() ?? null };
}

export interface KeyOwner {
  keyId: string;
  tenantId: string;
  kind: TenantKind;
  tenantName: string;
  tenantCreatedAt: Date;
  secretHash: Buffer;
  revoked: boolean;
  lastUsedAt: Date | null;
  scopes: ApiKeyScope[];
  expiresAt: Date | null;
  tenantSuspended: boolean;
}

interface OwnerRow {
  id: string;
  tenant_id: string;
  kind: TenantKind;
  name: string;
  created_at: Date;
  secret_hash: Buffer;
  revoked_at: Date | null;
  last_used_at: Date | null;
  scopes: ApiKeyScope[];
  expires_at: Date | null;
  suspended_at: Date | null;
}

/** Before the request knows its tenant: the database's one narrow bypass for it (migration 1764000000000). */
const OWNER_BY_PREFIX = `SELECT * FROM revela_api_key_owner($1)`;

@Injectable()
export class ApiKeysRepository {
  private readonly keys: Repository<ApiKeyEntity>;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.keys = db.getRepository(ApiKeyEntity);
  }

  private get pool(): pg.Pool {
    return (this.db.driver as PostgresDriver).master as pg.Pool;
  }

  /** The only unscoped read: it is how a request finds its tenant in the first place. */
  async findOwnerByPrefix(prefix: string): Promise<KeyOwner | undefined> {
    // The hottest query of the API: straight to the pool, as a prepared statement (planned once per connection).
    const { rows } = await this.pool.query<OwnerRow>({ name: 'api-key-owner', text: OWNER_BY_PREFIX, values: [prefix] });
    const row = rows[0];
    if (!row) return undefined;
    return {
      keyId: row.id,
      tenantId: row.tenant_id,
      kind: row.kind,
      tenantName: row.name,
      tenantCreatedAt: row.created_at,
      secretHash: row.secret_hash,
      revoked: row.revoked_at !== null,
      lastUsedAt: row.last_used_at,
      scopes: row.scopes,
      expiresAt: row.expires_at,
      tenantSuspended: row.suspended_at !== null,
    };
  }

  async touch(keyId: string, at: Date): Promise<void> {
    await this.keys.update({ id: keyId }, { lastUsedAt: at });
  }

  /** The key and its audit event, in one transaction. */
  async create(ctx: TenantContext, name: string, key: IssuedApiKey, rights: ApiKeyRights): Promise<ApiKeyEntity> {
    return this.db.transaction(async (manager) => {
      const created = await insertApiKey(manager, ctx.tenantId, name, key, rights);
      await recordAuditEvent(manager, {
        tenantId: ctx.tenantId,
        action: 'api_key.created',
        target: { type: 'api_key', id: created.id },
        details: keyDetails(created),
      });
      return created;
    });
  }

  async list(ctx: TenantContext, limit: number, after?: Cursor): Promise<ApiKeyEntity[]> {
    const query = this.keys.createQueryBuilder('k').where('k.tenant_id = :tenantId', { tenantId: ctx.tenantId });
    return pageAfter(query, 'k', after, limit).getMany();
  }

  async findOne(ctx: TenantContext, id: string): Promise<ApiKeyEntity | null> {
    return this.keys.findOneBy({ id, tenantId: ctx.tenantId });
  }

  /** Marks the key revoked once (the first revocation time is kept, and audited once). */
  async revoke(ctx: TenantContext, id: string, at: Date): Promise<void> {
    await this.db.transaction(async (manager) => {
      const revoked = rowsOf<{ prefix: string }>(
        await manager.query(
          `UPDATE api_keys SET revoked_at = $3 WHERE id = $1 AND tenant_id = $2 AND revoked_at IS NULL RETURNING prefix`,
          [id, ctx.tenantId, at],
        ),
      );
      if (revoked.length === 0) return;
      await recordAuditEvent(manager, {
        tenantId: ctx.tenantId,
        action: 'api_key.revoked',
        target: { type: 'api_key', id },
        details: { prefix: revoked[0].prefix },
      });
    });
  }
}
