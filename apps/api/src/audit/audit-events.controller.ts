import { Controller, Get, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantContext } from '#database';
import { toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { AdminOnly, CurrentTenant, RequireScope, TenantAuth } from '../tenants/auth.decorators.js';
import { AuditEventsService } from './audit-events.service.js';
import { AdminAuditEventQueryDto, AuditEventPageDto, AuditEventQueryDto } from './dto/audit-event.dto.js';

const DESCRIPTION =
  'Key creation and revocation, platform-admin actions on the tenant and download links issued, newest first, ' +
  'each with its actor, target, time and request id. Append-only.';

@ApiTags('Audit')
@Controller({ version: '1' })
export class AuditEventsController {
  constructor(private readonly events: AuditEventsService) {}

  @Get('audit-events')
  @TenantAuth()
  // The log is security administration: it names keys and who used them, like key management does.
  @RequireScope('keys')
  @ApiOperation({ operationId: 'listAuditEvents', summary: "The tenant's audit log (needs the `keys` scope)", description: DESCRIPTION })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  list(@CurrentTenant() tenant: TenantContext, @Query() query: AuditEventQueryDto): Promise<AuditEventPageDto> {
    return this.events.list({ tenantId: tenant.tenantId, action: query.action }, toPageRequest(query));
  }

  @Get('admin/audit-events')
  @AdminOnly()
  @ApiOperation({
    operationId: 'listAllAuditEvents',
    summary: 'Every audit event, platform events included (platform admin)',
    description: DESCRIPTION,
  })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  listAll(@Query() query: AdminAuditEventQueryDto): Promise<AuditEventPageDto> {
    return this.events.list({ tenantId: query.tenantId, action: query.action }, toPageRequest(query));
  }
}
