import { ApiProperty } from '@nestjs/swagger';

export const DELIVERY_STATUSES = ['pending', 'succeeded', 'failed'] as const;
export const ATTEMPT_OUTCOMES = ['succeeded', 'failed', 'refused'] as const;

export class WebhookAttemptDto {
  /** @example '2026-11-21T10:15:02.114Z' */
  @ApiProperty({ format: 'date-time' })
  attemptedAt: string;

  /**
   * `refused`: the target was not allowed (e.g. it resolved to a private address) and nothing was sent.
   * @example 'failed'
   */
  @ApiProperty({ enum: ATTEMPT_OUTCOMES })
  outcome: (typeof ATTEMPT_OUTCOMES)[number];

  /**
   * The receiver's HTTP status; null when none came back.
   * @example 500
   */
  @ApiProperty({ type: Number, nullable: true })
  responseStatus: number | null;

  /** @example 84 */
  latencyMs: number;

  /** @example 'answered 500' */
  @ApiProperty({ type: String, nullable: true })
  error: string | null;
}

export class WebhookDeliveryDto {
  /** @example '5f1c2b8e-3d4a-4e6f-9a7b-1c2d3e4f5a6b' */
  @ApiProperty({ format: 'uuid' })
  id: string;

  /**
   * Also the `webhook-id` header of every attempt: the same on each retry, so receivers can drop duplicates.
   * @example 'evt_6f9619ff8b86d011b42d00c04fc964ff'
   */
  eventId: string;

  /** @example 'photo.ready' */
  eventType: string;

  /** @example 'succeeded' */
  @ApiProperty({ enum: DELIVERY_STATUSES })
  status: (typeof DELIVERY_STATUSES)[number];

  /**
   * When the next attempt is due; null once the delivery succeeded or failed for good.
   * @example null
   */
  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  nextAttemptAt: string | null;

  /** Every attempt, oldest first. */
  attempts: WebhookAttemptDto[];

  /** @example '2026-11-21T10:15:02.020Z' */
  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class WebhookDeliveryPageDto {
  items: WebhookDeliveryDto[];

  /**
   * Pass as `cursor` for the next page; null on the last page.
   * @example null
   */
  nextCursor: string | null;
}
