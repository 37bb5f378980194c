import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { AuthenticatedTenant } from '#database';
import { PageQueryDto, toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { AdminTenantDto, AdminTenantPageDto } from './dto/admin-tenant.dto.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { AdminOnly, CurrentTenant, TenantAuth } from './auth.decorators.js';
import { CreateTenantDto, CreatedTenantDto, IssuedApiKeyDto, TenantDto } from './dto/tenant.dto.js';
import { TenantDeletionService } from './tenant-deletion.service.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('Tenants')
@Controller({ version: '1' })
export class TenantsController {
  constructor(
    private readonly tenants: TenantsService,
    private readonly deletion: TenantDeletionService,
  ) {}

  @Post('tenants')
  @AdminOnly()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    operationId: 'createTenant',
    summary: 'Create a tenant (platform admin)',
    description: 'Returns the first API key in clear, once.',
  })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  create(@Body() body: CreateTenantDto): Promise<CreatedTenantDto> {
    return this.tenants.create(body);
  }

  @Get('tenants')
  @AdminOnly()
  @ApiOperation({ operationId: 'listTenants', summary: 'List tenants with their usage (platform admin)' })
  @ApiOkResponse({ type: AdminTenantPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  list(@Query() query: PageQueryDto): Promise<AdminTenantPageDto> {
    return this.tenants.list(toPageRequest(query));
  }

  @Get('tenants/:id')
  @AdminOnly()
  @ApiOperation({ operationId: 'getTenant', summary: 'One tenant with its usage (platform admin)' })
  @ApiOkResponse({ type: AdminTenantDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  get(@Param('id', UuidParamPipe) id: string): Promise<AdminTenantDto> {
    return this.tenants.get(id);
  }

  @Post('tenants/:id/suspend')
  @AdminOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'suspendTenant',
    summary: 'Suspend a tenant (platform admin)',
    description: 'Its keys answer 403 tenant-suspended until it is resumed.',
  })
  @ApiOkResponse({ type: AdminTenantDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  suspend(@Param('id', UuidParamPipe) id: string): Promise<AdminTenantDto> {
    return this.tenants.setSuspended(id, true);
  }

  @Post('tenants/:id/resume')
  @AdminOnly()
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'resumeTenant', summary: 'Resume a suspended tenant (platform admin)' })
  @ApiOkResponse({ type: AdminTenantDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  resume(@Param('id', UuidParamPipe) id: string): Promise<AdminTenantDto> {
    return this.tenants.setSuspended(id, false);
  }

  @Delete('tenants/:id')
  @AdminOnly()
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'deleteTenant',
    summary: 'Delete a tenant with all its rows and objects (platform admin)',
    description:
      'Marks the tenant deleting (its keys answer 401 and its work is no longer scheduled from that moment), aborts its ' +
      'multipart uploads, deletes every object under `tenants/{id}/`, then every row, in one transaction. Answers 204 once ' +
      'all is gone. If it is interrupted (an error, a restart), the tenant stays deleting: the same DELETE, or the next ' +
      'start of the API, finishes it. Repeating it after success answers 204 again. The tenant’s audit log goes with it; ' +
      'the deletion itself stays in the platform audit log (`GET /v1/admin/audit-events`).',
  })
  @ApiNoContentResponse({ description: 'The tenant, its rows and its objects are deleted.' })
  @ApiNotFoundResponse({ type: ProblemDocument })
  remove(@Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.deletion.delete(id);
  }

  @Post('tenants/:id/recovery-key')
  @AdminOnly()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({
    operationId: 'issueRecoveryKey',
    summary: 'Issue a recovery key (platform admin)',
    description: 'A new key with every scope for a tenant that lost or revoked all its keys. Returned in clear, once.',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  issueRecoveryKey(@Param('id', UuidParamPipe) id: string): Promise<IssuedApiKeyDto> {
    return this.tenants.issueRecoveryKey(id);
  }

  @Get('tenant')
  @TenantAuth()
  @ApiOperation({ operationId: 'getCurrentTenant', summary: "The caller's tenant" })
  @ApiOkResponse({ type: TenantDto })
  current(@CurrentTenant() tenant: AuthenticatedTenant): TenantDto {
    return this.tenants.current(tenant);
  }
}
