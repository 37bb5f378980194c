import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsUUID } from 'class-validator';
import { PageQueryDto } from '../../common/pagination.js';
import { AUDIT_ACTIONS, type AuditAction } from '../audit-trail.js';

const ACTOR_TYPES = ['api_key', 'admin', 'system'] as const;
const TARGET_TYPES = ['tenant', 'api_key', 'job'] as const;

export class AuditActorDto {
  @ApiProperty({ enum: ACTOR_TYPES, example: 'api_key', description: "A tenant's API key, the platform admin, or the API itself." })
  type: (typeof ACTOR_TYPES)[number];

  @ApiProperty({ type: String, format: 'uuid', nullable: true, description: 'The acting key (api_key actors only).' })
  keyId: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'rvl_3f9a1c0b7d2e4a61', description: 'Its non-secret lookup prefix.' })
  keyPrefix: string | null;
}

export class AuditTargetDto {
  @ApiProperty({ enum: TARGET_TYPES, example: 'api_key' })
  type: (typeof TARGET_TYPES)[number];

  @ApiProperty({ example: '0b0c6f1e-8d1f-4a52-9f0e-2f7f4d1f3a10' })
  id: string;
}

export class AuditEventDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The tenant whose log holds the event; null for platform events (a tenant's deletion).",
  })
  tenantId: string | null;

  @ApiProperty({ enum: AUDIT_ACTIONS, example: 'api_key.revoked' })
  action: AuditAction;

  @ApiProperty({ type: AuditActorDto })
  actor: AuditActorDto;

  @ApiProperty({ type: AuditTargetDto })
  target: AuditTargetDto;

  @ApiProperty({ type: String, nullable: true, example: 'req-7f3a', description: 'The `x-request-id` of the request that acted.' })
  requestId: string | null;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    example: { name: 'ci-uploader', scopes: ['read'] },
    description: 'What changed, per action (never a secret).',
  })
  details: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto], description: 'Newest first.' })
  items: AuditEventDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next (older) page; null on the last page.' })
  nextCursor: string | null;
}

export class AuditEventQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: AUDIT_ACTIONS, description: 'Only events of this action.' })
  @IsOptional()
  @IsIn(AUDIT_ACTIONS)
  action?: AuditAction;
}

export class AdminAuditEventQueryDto extends AuditEventQueryDto {
  @ApiPropertyOptional({ format: 'uuid', description: "Only this tenant's events (without it: every tenant's, and platform events)." })
  @IsOptional()
  @IsUUID()
  tenantId?: string;
}
