import { Injectable } from '@nestjs/common';
import type { AuthenticatedTenant } from '#database';
import { issueApiKey } from './api-key-token.js';
import type { CreateTenantDto, CreatedTenantDto, TenantDto } from './dto/tenant.dto.js';
import { toApiKeyDto, toTenantDto } from './tenant.mapper.js';
import { TenantsRepository } from './tenants.repository.js';

@Injectable()
export class TenantsService {
  constructor(private readonly tenants: TenantsRepository) {}

  async create(input: CreateTenantDto): Promise<CreatedTenantDto> {
    const issued = issueApiKey();
    const { tenant, apiKey } = await this.tenants.createWithKey(input, issued, 'initial');
    return { tenant: toTenantDto(tenant), apiKey: { ...toApiKeyDto(apiKey), key: issued.key } };
  }

  /** The tenant as authentication read it, in the same query as the key. */
  current(ctx: AuthenticatedTenant): TenantDto {
    return toTenantDto({ id: ctx.tenantId, name: ctx.name, kind: ctx.kind, createdAt: ctx.createdAt });
  }
}
