import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import type { TenantContext } from '#database';
import { generateWebhookSecret } from '#signing';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import type {
  CreateWebhookEndpointDto,
  UpdateWebhookEndpointDto,
  WebhookEndpointDto,
  WebhookEndpointPageDto,
  WebhookEndpointWithSecretDto,
} from './dto/webhook-endpoint.dto.js';
import type { WebhookDeliveryDto, WebhookDeliveryPageDto } from './dto/webhook-delivery.dto.js';
import { targetUrlProblem } from './target-policy.js';
import { type DeliveryRow, type EndpointRow, WebhooksRepository } from './webhooks.repository.js';

/** After a rotation the previous secret keeps signing this long, so receivers can switch over. */
export const SECRET_OVERLAP_SECONDS = 24 * 3600;

@Injectable()
export class WebhookEndpointsService {
  constructor(
    private readonly repository: WebhooksRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async create(ctx: TenantContext, input: CreateWebhookEndpointDto): Promise<WebhookEndpointWithSecretDto> {
    this.checkUrl(input.url);
    const secret = generateWebhookSecret();
    const row = await this.repository.createEndpoint(ctx.tenantId, {
      url: input.url,
      description: input.description ?? '',
      events: input.events,
      secret,
    });
    return { ...toEndpointDto(row), secret };
  }

  async list(ctx: TenantContext, page: PageRequest): Promise<WebhookEndpointPageDto> {
    return toPage(await this.repository.listEndpoints(ctx.tenantId, page.limit + 1, page.after), page, toEndpointDto);
  }

  async get(ctx: TenantContext, id: string): Promise<WebhookEndpointDto> {
    return toEndpointDto(await this.require(ctx, id));
  }

  async update(ctx: TenantContext, id: string, patch: UpdateWebhookEndpointDto): Promise<WebhookEndpointDto> {
    if (patch.url !== undefined) this.checkUrl(patch.url);
    const row = await this.repository.updateEndpoint(ctx.tenantId, id, patch);
    if (!row) throw problems.notFound('Webhook endpoint');
    return toEndpointDto(row);
  }

  async delete(ctx: TenantContext, id: string): Promise<void> {
    if (!(await this.repository.deleteEndpoint(ctx.tenantId, id))) throw problems.notFound('Webhook endpoint');
  }

  async rotateSecret(ctx: TenantContext, id: string): Promise<WebhookEndpointWithSecretDto> {
    const secret = generateWebhookSecret();
    const row = await this.repository.rotateSecret(ctx.tenantId, id, secret, SECRET_OVERLAP_SECONDS);
    if (!row) throw problems.notFound('Webhook endpoint');
    return { ...toEndpointDto(row), secret };
  }

  async sendTest(ctx: TenantContext, id: string): Promise<WebhookDeliveryDto> {
    await this.requireEnabled(ctx, id);
    const deliveryId = await this.repository.createTestDelivery(ctx.tenantId, id);
    return toDeliveryDto((await this.repository.findDelivery(ctx.tenantId, id, deliveryId))!);
  }

  async listDeliveries(ctx: TenantContext, id: string, page: PageRequest): Promise<WebhookDeliveryPageDto> {
    await this.require(ctx, id);
    return toPage(await this.repository.listDeliveries(ctx.tenantId, id, page.limit + 1, page.after), page, toDeliveryDto);
  }

  async redeliver(ctx: TenantContext, id: string, deliveryId: string): Promise<WebhookDeliveryDto> {
    await this.requireEnabled(ctx, id);
    if (!(await this.repository.redeliver(ctx.tenantId, id, deliveryId))) throw problems.notFound('Delivery');
    return toDeliveryDto((await this.repository.findDelivery(ctx.tenantId, id, deliveryId))!);
  }

  private async require(ctx: TenantContext, id: string): Promise<EndpointRow> {
    const row = await this.repository.findEndpoint(ctx.tenantId, id);
    if (!row) throw problems.notFound('Webhook endpoint');
    return row;
  }

  private async requireEnabled(ctx: TenantContext, id: string): Promise<EndpointRow> {
    const row = await this.require(ctx, id);
    if (!row.enabled)
      throw problems.conflict('The endpoint is disabled; enable it (PATCH {"enabled": true}) first.', {
        disabledReason: row.disabledReason,
      });
    return row;
  }

  private checkUrl(url: string): void {
    const problem = targetUrlProblem(url, { httpsOnly: this.config.webhooks.httpsOnly, allowLoopback: this.config.webhooks.allowLoopback });
    if (problem) throw problems.validation([{ field: 'url', message: problem }]);
  }
}

export function toEndpointDto(row: EndpointRow): WebhookEndpointDto {
  return {
    id: row.id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabledReason,
    disabledAt: row.disabledAt?.toISOString() ?? null,
    failingSince: row.failingSince?.toISOString() ?? null,
    previousSecretExpiresAt: row.previousSecretExpiresAt?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
  };
}

export function toDeliveryDto(row: DeliveryRow): WebhookDeliveryDto {
  return {
    id: row.id,
    eventId: row.eventId,
    eventType: row.eventType,
    status: row.status,
    nextAttemptAt: row.nextAttemptAt?.toISOString() ?? null,
    attempts: row.attempts.map((a) => ({ ...a, attemptedAt: a.attemptedAt.toISOString() })),
    createdAt: row.createdAt.toISOString(),
  };
}
