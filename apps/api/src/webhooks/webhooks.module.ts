import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.service.js';
import { WebhookEndpointsController } from './webhook-endpoints.controller.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookResolver, WebhookSender } from './webhook-sender.js';
import { WebhooksRepository } from './webhooks.repository.js';

/**
 * Outgoing webhooks: endpoint management, and the dispatcher that delivers the outbox. Producers
 * (photos, jobs) write events with `emitWebhookEvent` inside their own transactions; they need
 * nothing from this module at run time.
 */
@Module({
  controllers: [WebhookEndpointsController],
  providers: [WebhooksRepository, WebhookEndpointsService, WebhookResolver, WebhookSender, WebhookDispatcher],
})
export class WebhooksModule {}
