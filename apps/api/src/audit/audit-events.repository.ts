import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type Cursor, cursorParams, keysetSql, rowsOf } from '#database';
import type { AuditActor } from './audit-context.js';
import type { AuditAction, AuditRecord } from './audit-trail.js';

export interface AuditEventRow {
  id: string;
  tenantId: string | null;
  actor: AuditActor;
  action: AuditAction;
  target: AuditRecord['target'];
  requestId: string | null;
  details: Record<string, unknown>;
  createdAt: Date;
}

interface SqlRow {
  id: string;
  tenant_id: string | null;
  actor_type: AuditActor['type'];
  actor_key_id: string | null;
  actor_key_prefix: string | null;
  action: AuditAction;
  target_type: AuditRecord['target']['type'];
  target_id: string;
  request_id: string | null;
  details: Record<string, unknown>;
  created_at: Date;
}

function toRow(row: SqlRow): AuditEventRow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    actor:
      row.actor_type === 'api_key'
        ? { type: 'api_key', keyId: row.actor_key_id ?? '', keyPrefix: row.actor_key_prefix }
        : { type: row.actor_type },
    action: row.action,
    target: { type: row.target_type, id: row.target_id },
    requestId: row.request_id,
    details: row.details,
    createdAt: row.created_at,
  };
}

export interface AuditFilter {
  /** One tenant's events; undefined reads every event (the admin's system scope only). */
  tenantId?: string;
  action?: AuditAction;
}

/** Reads the audit log, newest first (writes go through recordAuditEvent, in the acting transaction). */
@Injectable()
export class AuditEventsRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async list(filter: AuditFilter, limit: number, after?: Cursor): Promise<AuditEventRow[]> {
    const rows: unknown = await this.db.query(
      `SELECT * FROM audit_events e
        WHERE ${keysetSql('e', 1, true)} AND ($3::uuid IS NULL OR e.tenant_id = $3) AND ($4::text IS NULL OR e.action = $4)
        ORDER BY e.created_at DESC, e.id DESC
        LIMIT $5`,
      [...cursorParams(after), filter.tenantId ?? null, filter.action ?? null, limit],
    );
    return rowsOf<SqlRow>(rows).map(toRow);
  }
}
