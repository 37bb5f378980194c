import { ApiProperty } from '@nestjs/swagger';
import { ArrayMaxSize, ArrayMinSize, ArrayUnique, IsBoolean, IsIn, IsOptional, IsString, Length, MaxLength } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';
import { WEBHOOK_EVENT_TYPES, type WebhookEventType } from '../events.js';
import { SingleLine } from '../../common/text-rules.js';

export class CreateWebhookEndpointDto {
  /**
   * Where events are POSTed. https only in production; the address it resolves to must be public.
   * @example 'https://hooks.example.com/revela'
   */
  @IsString()
  @Length(8, 2048)
  url: string;

  /** Event types sent to this endpoint. */
  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['photo.ready', 'photo.failed'] })
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events: WebhookEventType[];

  /**
   * For your own reference.
   * @example 'Practice management sync'
   */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @SingleLine()
  description?: string;
}

export class UpdateWebhookEndpointDto {
  /** @example 'https://hooks.example.com/revela/v2' */
  @IsOptional()
  @IsString()
  @Length(8, 2048)
  url?: string;

  @ApiProperty({
    enum: WEBHOOK_EVENT_TYPES,
    isArray: true,
    required: false,
    example: ['job.completed', 'job.completed_with_errors', 'job.failed'],
  })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  events?: WebhookEventType[];

  /** @example 'Practice management sync' */
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @SingleLine()
  description?: string;

  /**
   * `false` stops deliveries (pending ones are marked failed); `true` re-enables an endpoint,
   * also one Revela disabled because it kept failing.
   * @example true
   */
  @IsOptional()
  @IsBoolean()
  enabled?: boolean;
}

export class WebhookEndpointDto {
  /** @example '0b6d3f7e-8a41-4c62-9f0e-2d5b7a1c9e34' */
  @ApiProperty({ format: 'uuid' })
  id: string;

  /** @example 'https://hooks.example.com/revela' */
  url: string;

  /** @example 'Practice management sync' */
  description: string;

  @ApiProperty({ enum: WEBHOOK_EVENT_TYPES, isArray: true, example: ['photo.ready', 'photo.failed'] })
  events: WebhookEventType[];

  /**
   * False when the tenant disabled the endpoint, or Revela did because it kept failing.
   * @example true
   */
  enabled: boolean;

  /**
   * Why the endpoint is disabled; null while it is enabled.
   * @example null
   */
  disabledReason: string | null;

  /** @example null */
  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  disabledAt: string | null;

  /**
   * Since when every attempt has failed; null while deliveries succeed. Revela disables an
   * endpoint that has failed for 3 days.
   * @example null
   */
  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  failingSince: string | null;

  /**
   * Until when the previous secret still signs, after a rotation.
   * @example null
   */
  @ApiProperty({ format: 'date-time', type: String, nullable: true })
  previousSecretExpiresAt: string | null;

  /** @example '2026-11-21T10:15:00.000Z' */
  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  /** @example '2026-11-21T10:15:00.000Z' */
  @ApiProperty({ format: 'date-time' })
  updatedAt: string;
}

export class WebhookEndpointWithSecretDto extends WebhookEndpointDto {
  /**
   * The signing secret (Standard Webhooks). Shown only in this response; store it now.
   * @example 'whsec_C2FVsBQIhrscChlQIMV+b5sSYspob7oD7Ck1ePoRK+Q='
   */
  secret: string;
}

export class WebhookEndpointPageDto {
  items: WebhookEndpointDto[];

  /**
   * Pass as `cursor` for the next page; null on the last page.
   * @example null
   */
  nextCursor: string | null;
}

export class WebhookEndpointListQueryDto extends PageQueryDto {}
