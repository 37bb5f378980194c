import { Controller, Get } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedTenant } from '#database';
import { CurrentTenant, TenantAuth } from '../tenants/auth.decorators.js';
import { UsageDto } from './dto/quota.dto.js';
import { QuotasService } from './quotas.service.js';

@ApiTags('Usage')
@Controller({ path: 'usage', version: '1' })
export class UsageController {
  constructor(private readonly quotas: QuotasService) {}

  @Get()
  @TenantAuth()
  @ApiOperation({ operationId: 'getUsage', summary: 'What the tenant uses, next to its limits' })
  @ApiOkResponse({ type: UsageDto })
  usage(@CurrentTenant() tenant: AuthenticatedTenant): Promise<UsageDto> {
    return this.quotas.usage(tenant.tenantId);
  }
}
