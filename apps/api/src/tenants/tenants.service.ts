import { Injectable } from '@nestjs/common';
import type { AuthenticatedTenant } from '#database';
import { issueApiKey } from './api-key-token.js';
import { problems } from '../common/problem.js';
import type { CreateTenantDto, CreatedTenantDto, IssuedApiKeyDto, TenantDto } from './dto/tenant.dto.js';
import { toApiKeyDto, toTenantDto } from './tenant.mapper.js';
import { type PageRequest, toPage } from '../common/pagination.js';
import type { AdminTenantDto, AdminTenantPageDto } from './dto/admin-tenant.dto.js';
import { type TenantUsageRow, TenantsRepository } from './tenants.repository.js';

function toAdminTenantDto(row: TenantUsageRow): AdminTenantDto {
  return { ...toTenantDto(row), status: row.status, usage: row.usage };
}

@Injectable()
export class TenantsService {
  constructor(private readonly tenants: TenantsRepository) {}

  async create(input: CreateTenantDto): Promise<CreatedTenantDto> {
    const issued = issueApiKey();
    const { tenant, apiKey } = await this.tenants.createWithKey(input, issued, 'initial');
    return { tenant: toTenantDto(tenant), apiKey: { ...toApiKeyDto(apiKey), key: issued.key } };
  }

  async list(page: PageRequest): Promise<AdminTenantPageDto> {
    return toPage(await this.tenants.listWithUsage(page.limit + 1, page.after), page, toAdminTenantDto);
  }

  /** Suspends (its keys answer 403 tenant-suspended) or resumes a tenant; answers it with its usage. */
  async setSuspended(id: string, suspended: boolean): Promise<AdminTenantDto> {
    if (!(await this.tenants.setSuspended(id, suspended))) throw problems.notFound('Tenant');
    return this.get(id);
  }

  async get(id: string): Promise<AdminTenantDto> {
    const row = await this.tenants.findWithUsage(id);
    if (!row) throw problems.notFound('Tenant');
    return toAdminTenantDto(row);
  }

  /** A new key with every scope, for a tenant that lost or revoked all of its keys. */
  async issueRecoveryKey(tenantId: string): Promise<IssuedApiKeyDto> {
    const issued = issueApiKey();
    const apiKey = await this.tenants.addRecoveryKey(tenantId, issued, 'recovery');
    if (!apiKey) throw problems.notFound('Tenant');
    return { ...toApiKeyDto(apiKey), key: issued.key };
  }

  /** The tenant as authentication read it, in the same query as the key. */
  current(ctx: AuthenticatedTenant): TenantDto {
    return toTenantDto({ id: ctx.tenantId, name: ctx.name, kind: ctx.kind, createdAt: ctx.createdAt });
  }
}
