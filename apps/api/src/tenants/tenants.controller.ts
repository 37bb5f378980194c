import { Body, Controller, Get, HttpCode, HttpStatus, Post } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { AuthenticatedTenant } from '#database';
import { ProblemDocument } from '../common/problem.js';
import { AdminOnly, CurrentTenant, TenantAuth } from './auth.decorators.js';
import { CreateTenantDto, CreatedTenantDto, TenantDto } from './dto/tenant.dto.js';
import { TenantsService } from './tenants.service.js';

@ApiTags('Tenants')
@Controller({ version: '1' })
export class TenantsController {
  constructor(private readonly tenants: TenantsService) {}

  @Post('tenants')
  @AdminOnly()
  @HttpCode(HttpStatus.CREATED)
  @ApiOperation({ operationId: 'createTenant', summary: 'Create a tenant (platform admin)', description: 'Returns the first API key in clear, once.' })
  @ApiCreatedResponse({ type: CreatedTenantDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  create(@Body() body: CreateTenantDto): Promise<CreatedTenantDto> {
    return this.tenants.create(body);
  }

  @Get('tenant')
  @TenantAuth()
  @ApiOperation({ operationId: 'getCurrentTenant', summary: "The caller's tenant" })
  @ApiOkResponse({ type: TenantDto })
  current(@CurrentTenant() tenant: AuthenticatedTenant): TenantDto {
    return this.tenants.current(tenant);
  }
}
