import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedTenant } from '#database';
import { PageQueryDto, toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { AdminTenantDto, AdminTenantPageDto } from './dto/admin-tenant.dto.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { AdminOnly, CurrentTenant, TenantAuth } from './auth.decorators.js';
import { CreateTenantDto, CreatedTenantDto, IssuedApiKeyDto, TenantDto } from './dto/tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('Tenants')
@Controller({ version: '1' })
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

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
