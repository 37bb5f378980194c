import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { TenantContext } from '#database';
import { PageQueryDto, toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CurrentTenant, TenantAuth } from '../tenants/auth.decorators.js';
import { WebhookDeliveryDto, WebhookDeliveryPageDto } from './dto/webhook-delivery.dto.js';
import {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointPageDto,
  WebhookEndpointWithSecretDto,
} from './dto/webhook-endpoint.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

@ApiTags('Webhooks')
@TenantAuth()
@Controller({ path: 'webhook-endpoints', version: '1' })
export class WebhookEndpointsController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperation({
    operationId: 'createWebhookEndpoint',
    summary: 'Register a webhook endpoint',
    description:
      'Events are POSTed as Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`). ' +
      'The signing secret is returned only in this response.',
  })
  @ApiCreatedResponse({ type: WebhookEndpointWithSecretDto })
  @ApiBadRequestResponse({ type: ProblemDocument, description: 'Invalid URL (scheme, credentials, a private address) or event type.' })
  create(@CurrentTenant() tenant: TenantContext, @Body() body: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.create(tenant, body);
  }

  @Get()
  @ApiOperation({ operationId: 'listWebhookEndpoints', summary: 'List webhook endpoints' })
  @ApiOkResponse({ type: WebhookEndpointPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  list(@CurrentTenant() tenant: TenantContext, @Query() query: PageQueryDto): Promise<WebhookEndpointPageDto> {
    return this.endpoints.list(tenant, toPageRequest(query));
  }

  @Get(':id')
  @ApiOperation({
    operationId: 'getWebhookEndpoint',
    summary: 'Get a webhook endpoint',
    description: '`enabled: false` with `disabledReason` tells why it stopped.',
  })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  get(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<WebhookEndpointDto> {
    return this.endpoints.get(tenant, id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateWebhookEndpoint', summary: 'Change the URL, events or description, or enable/disable an endpoint' })
  @ApiOkResponse({ type: WebhookEndpointDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  update(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Body() body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointDto> {
    return this.endpoints.update(tenant, id, body);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteWebhookEndpoint', summary: 'Delete a webhook endpoint with its delivery history' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDocument })
  delete(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<void> {
    return this.endpoints.delete(tenant, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'rotateWebhookSecret',
    summary: 'Rotate the signing secret',
    description: 'Returns the new secret once. For 24 hours deliveries carry a signature with each secret, so receivers can switch over.',
  })
  @ApiOkResponse({ type: WebhookEndpointWithSecretDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  rotateSecret(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<WebhookEndpointWithSecretDto> {
    return this.endpoints.rotateSecret(tenant, id);
  }

  @Post(':id/test')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'sendTestWebhook',
    summary: 'Send a `webhook.test` event to this endpoint',
    description: 'Follow it in the deliveries.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  @ApiConflictResponse({ type: ProblemDocument, description: 'The endpoint is disabled.' })
  sendTest(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<WebhookDeliveryDto> {
    return this.endpoints.sendTest(tenant, id);
  }

  @Get(':id/deliveries')
  @ApiOperation({
    operationId: 'listWebhookDeliveries',
    summary: 'Deliveries to this endpoint, newest first, each with its attempts',
    description: 'Every attempt shows its time, outcome, the response status and the latency; `refused` attempts never left Revela.',
  })
  @ApiOkResponse({ type: WebhookDeliveryPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  listDeliveries(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Query() query: PageQueryDto,
  ): Promise<WebhookDeliveryPageDto> {
    return this.endpoints.listDeliveries(tenant, id, toPageRequest(query));
  }

  @Post(':id/deliveries/:deliveryId/redeliver')
  @HttpCode(HttpStatus.ACCEPTED)
  @ApiOperation({
    operationId: 'redeliverWebhook',
    summary: 'Send a delivery again',
    description: 'Same event, same `webhook-id`, with a fresh retry schedule.',
  })
  @ApiAcceptedResponse({ type: WebhookDeliveryDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  @ApiConflictResponse({ type: ProblemDocument, description: 'The endpoint is disabled.' })
  redeliver(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) id: string,
    @Param('deliveryId', UuidParamPipe) deliveryId: string,
  ): Promise<WebhookDeliveryDto> {
    return this.endpoints.redeliver(tenant, id, deliveryId);
  }
}
