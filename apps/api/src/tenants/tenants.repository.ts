import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { API_KEY_SCOPES, ApiKeyEntity, TenantEntity, type TenantKind } from '#database';
import type { IssuedApiKey } from './api-key-token.js';

@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /**
   * A key with every scope for an existing tenant (the platform admin's recovery key), or undefined
   * when there is no such tenant. Runs in the admin route's system scope.
   */
  async addRecoveryKey(tenantId: string, key: IssuedApiKey, keyName: string): Promise<ApiKeyEntity | undefined> {
    return this.db.transaction(async (manager) => {
      const tenant = await manager.findOneBy(TenantEntity, { id: tenantId });
      if (!tenant) return undefined;
      return manager.save(
        manager.create(ApiKeyEntity, {
          id: randomUUID(),
          tenantId,
          name: keyName,
          prefix: key.prefix,
          secretHash: key.secretHash,
          lastUsedAt: null,
          revokedAt: null,
          scopes: [...API_KEY_SCOPES],
          expiresAt: null,
        }),
      );
    });
  }

  /** Creates the tenant and its first key atomically: no tenant without a way in. */
  async createWithKey(input: { name: string; kind: TenantKind }, key: IssuedApiKey, keyName: string): Promise<{
    tenant: TenantEntity;
    apiKey: ApiKeyEntity;
  }> {
    return this.db.transaction(async (manager) => {
      const tenant = await manager.save(manager.create(TenantEntity, { id: randomUUID(), ...input }));
      const apiKey = await manager.save(
        manager.create(ApiKeyEntity, {
          id: randomUUID(),
          tenantId: tenant.id,
          name: keyName,
          prefix: key.prefix,
          secretHash: key.secretHash,
          lastUsedAt: null,
          revokedAt: null,
          // The first key can do everything, key management included: it is the tenant's way in.
          scopes: [...API_KEY_SCOPES],
          expiresAt: null,
        }),
      );
      return { tenant, apiKey };
    });
  }

}
