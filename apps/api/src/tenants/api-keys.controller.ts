import { Body, Controller, Delete, Get, Param, Post, Query } from '@nestjs/common';
import { ApiBadRequestResponse, ApiCreatedResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantContext } from '#database';
import { PageQueryDto, toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { ApiKeysService } from './api-keys.service.js';
import { CurrentTenant, RequireScope, TenantAuth } from './auth.decorators.js';
import { ApiKeyDto, ApiKeyPageDto, CreateApiKeyDto, IssuedApiKeyDto } from './dto/tenant.dto.js';

@ApiTags('API keys')
@TenantAuth()
@RequireScope('keys')
@Controller({ path: 'api-keys', version: '1' })
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @ApiOperation({
    operationId: 'createApiKey',
    summary: 'Create an API key',
    description: 'The key is returned in clear only in this response.',
  })
  @ApiCreatedResponse({ type: IssuedApiKeyDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  create(@CurrentTenant() tenant: TenantContext, @Body() body: CreateApiKeyDto): Promise<IssuedApiKeyDto> {
    return this.keys.create(tenant, body);
  }

  @Get()
  @ApiOperation({ operationId: 'listApiKeys', summary: "List the tenant's API keys (secrets are never shown again)" })
  @ApiOkResponse({ type: ApiKeyPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  list(@CurrentTenant() tenant: TenantContext, @Query() query: PageQueryDto): Promise<ApiKeyPageDto> {
    return this.keys.list(tenant, toPageRequest(query));
  }

  @Delete(':id')
  @ApiOperation({ operationId: 'revokeApiKey', summary: 'Revoke an API key', description: 'The key answers 401 from its next request on.' })
  @ApiOkResponse({ type: ApiKeyDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  revoke(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<ApiKeyDto> {
    return this.keys.revoke(tenant, id);
  }
}
