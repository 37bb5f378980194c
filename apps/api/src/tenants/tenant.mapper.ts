import type { ApiKeyEntity, TenantEntity } from '#database';
import type { ApiKeyDto, TenantDto } from './dto/tenant.dto.js';

export function toTenantDto(tenant: Pick<TenantEntity, 'id' | 'name' | 'kind' | 'createdAt'>): TenantDto {
  return { id: tenant.id, name: tenant.name, kind: tenant.kind, createdAt: tenant.createdAt.toISOString() };
}

export function toApiKeyDto(key: ApiKeyEntity): ApiKeyDto {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    createdAt: key.createdAt.toISOString(),
    lastUsedAt: key.lastUsedAt?.toISOString() ?? null,
    revokedAt: key.revokedAt?.toISOString() ?? null,
    scopes: key.scopes,
    expiresAt: key.expiresAt?.toISOString() ?? null,
  };
}
