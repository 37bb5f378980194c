import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { asSystem } from '#database';
import { webhookHeaders } from '#signing';
import { nextAttemptAt } from './retry-schedule.js';
import { WebhookSender } from './webhook-sender.js';
import { type DueDelivery, WebhooksRepository } from './webhooks.repository.js';

const BATCH = 8;
const RETENTION_DAYS = 30;
const RETENTION_EVERY_MS = 3_600_000;

/**
 * Delivers the outbox, at least once: every WEBHOOK_POLL_MS it leases the due deliveries, sends
 * them (a few at a time), and records each attempt with the next one's time (exponential backoff
 * with jitter, for WEBHOOK_RETRY_WINDOW_SECONDS). The lease outlives the send timeout, so with
 * several API processes a delivery is in one sender's hands at a time; one lost mid-send (crash) is
 * sent again once its lease lapses, with the same webhook-id.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(WebhookDispatcher.name);
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;
  private stopped = false;
  private lastRetention = 0;

  constructor(
    private readonly repository: WebhooksRepository,
    private readonly sender: WebhookSender,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.schedule(0);
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = asSystem('webhook dispatcher', () => this.tick())
        .catch((err: unknown) => this.logger.error({ err }, 'webhook dispatch failed'))
        .then((busy) => this.schedule(busy ? 0 : this.config.webhooks.pollMs));
    }, delayMs);
    this.timer.unref();
  }

  /** One pass; true when it found a full batch (more may be due). */
  async tick(): Promise<boolean> {
    if (Date.now() - this.lastRetention > RETENTION_EVERY_MS) {
      this.lastRetention = Date.now();
      await this.repository.deleteEventsOlderThan(RETENTION_DAYS);
    }
    const leaseSeconds = Math.ceil(this.config.webhooks.timeoutMs / 1000) + 30;
    const due = await this.repository.claimDue(BATCH, leaseSeconds);
    await Promise.all(
      due.map((delivery) =>
        this.deliver(delivery).catch((err: unknown) =>
          this.logger.error({ err, deliveryId: delivery.id }, 'webhook delivery could not be recorded'),
        ),
      ),
    );
    return due.length === BATCH;
  }

  private async deliver(delivery: DueDelivery): Promise<void> {
    if (this.stopped) {
      await this.repository.release(delivery.id);
      return;
    }
    const headers = webhookHeaders(delivery.secrets, delivery.eventId, delivery.body);
    const result = await this.sender.send({ url: delivery.url, headers, body: delivery.body });
    const next =
      result.outcome === 'succeeded'
        ? null
        : nextAttemptAt(delivery.failedAttempts + 1, delivery.windowStart, new Date(), this.config.webhooks.retry);
    const disabled = await this.repository.recordAttempt(delivery, result, next, this.config.webhooks.disableAfterSeconds);
    const fields = {
      tenantId: delivery.tenantId,
      endpointId: delivery.endpointId,
      eventId: delivery.eventId,
      outcome: result.outcome,
      status: result.responseStatus,
    };
    if (result.outcome === 'refused') this.logger.warn({ ...fields, reason: result.error }, 'webhook target refused');
    else this.logger.debug(fields, 'webhook attempt');
    if (disabled) this.logger.warn(fields, 'webhook endpoint disabled after failing for too long');
  }
}
