import { Body, Controller, Get, Param, Patch } from '@nestjs/common';
import { ApiBadRequestResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { ProblemDocument } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { AdminOnly } from '../tenants/auth.decorators.js';
import { LimitsDto, UpdateLimitsDto } from './dto/quota.dto.js';
import { QuotasService } from './quotas.service.js';

/** The platform admin's view of one tenant's limits (kept apart from the other admin routes). */
@ApiTags('Tenants')
@AdminOnly()
@Controller({ path: 'admin/tenants/:tenantId/limits', version: '1' })
export class AdminLimitsController {
  constructor(private readonly quotas: QuotasService) {}

  @Get()
  @ApiOperation({ operationId: 'getTenantLimits', summary: 'A tenant’s limits (its own, or the defaults)' })
  @ApiOkResponse({ type: LimitsDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  get(@Param('tenantId', UuidParamPipe) tenantId: string): Promise<LimitsDto> {
    return this.quotas.getLimits(tenantId);
  }

  @Patch()
  @ApiOperation({
    operationId: 'updateTenantLimits',
    summary: 'Set a tenant’s limits',
    description: 'A number sets the tenant’s own limit, null restores the default, an absent field is left as it is.',
  })
  @ApiOkResponse({ type: LimitsDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  update(@Param('tenantId', UuidParamPipe) tenantId: string, @Body() body: UpdateLimitsDto): Promise<LimitsDto> {
    return this.quotas.updateLimits(tenantId, body);
  }
}
