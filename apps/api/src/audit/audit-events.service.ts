import { Injectable } from '@nestjs/common';
import { type PageRequest, toPage } from '../common/pagination.js';
import type { AuditEventDto, AuditEventPageDto } from './dto/audit-event.dto.js';
import { type AuditEventRow, type AuditFilter, AuditEventsRepository } from './audit-events.repository.js';

function toDto(row: AuditEventRow): AuditEventDto {
  const actor = row.actor.type === 'api_key' ? row.actor : { type: row.actor.type, keyId: null, keyPrefix: null };
  return {
    id: row.id,
    tenantId: row.tenantId,
    action: row.action,
    actor: { type: actor.type, keyId: actor.keyId, keyPrefix: actor.keyPrefix },
    target: row.target,
    requestId: row.requestId,
    details: row.details,
    createdAt: row.createdAt.toISOString(),
  };
}

@Injectable()
export class AuditEventsService {
  constructor(private readonly events: AuditEventsRepository) {}

  /** One page, newest first; the filter's tenant is the caller's own on tenant routes. */
  async list(filter: AuditFilter, page: PageRequest): Promise<AuditEventPageDto> {
    return toPage(await this.events.list(filter, page.limit + 1, page.after), page, toDto);
  }
}
