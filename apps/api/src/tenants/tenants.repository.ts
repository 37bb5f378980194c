import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { API_KEY_SCOPES, type ApiKeyEntity, TenantEntity, type TenantKind } from '#database';
import type { IssuedApiKey } from './api-key-token.js';
import { insertApiKey } from './api-keys.repository.js';

@Injectable()
export class TenantsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  /** Creates the tenant and its first key atomically: no tenant without a way in. */
  async createWithKey(input: { name: string; kind: TenantKind }, key: IssuedApiKey, keyName: string): Promise<{
    tenant: TenantEntity;
    apiKey: ApiKeyEntity;
  }> {
    return this.db.transaction(async (manager) => {
      const tenant = await manager.save(manager.create(TenantEntity, { id: randomUUID(), ...input }));
      // The first key can do everything, key management included: it is the tenant's way in.
      const apiKey = await insertApiKey(manager, tenant.id, keyName, key, { scopes: [...API_KEY_SCOPES], expiresAt: null });
      return { tenant, apiKey };
    });
  }
}
