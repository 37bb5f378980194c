import { randomUUID } from 'node:crypto';
import { currentAuditContext } from './audit-context.js';

/** Every action the audit log records. */
export const AUDIT_ACTIONS = [
  'api_key.created',
  'api_key.revoked',
  'tenant.created',
  'tenant.suspended',
  'tenant.resumed',
  'tenant.recovery_key_issued',
  'tenant.limits_updated',
  'tenant.deletion_started',
  'tenant.deleted',
  'download.links_issued',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditRecord {
  /** Whose log the event belongs to; null for a platform event (it outlives the tenant). */
  tenantId: string | null;
  action: AuditAction;
  target: { type: 'tenant' | 'api_key' | 'job'; id: string };
  details?: Record<string, unknown>;
}

/** A database handle inside the caller's transaction (TypeORM's EntityManager or DataSource). */
export interface AuditSql {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

/**
 * Appends one event. Call it with the transaction that makes the change, so the change and its
 * event commit or roll back together. Actor and request id come from the request's context.
 */
export async function recordAuditEvent(sql: AuditSql, event: AuditRecord): Promise<void> {
  const { actor, requestId } = currentAuditContext();
  await sql.query(
    `INSERT INTO audit_events (id, tenant_id, actor_type, actor_key_id, actor_key_prefix, action, target_type, target_id, request_id, details)
     VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
    [
      randomUUID(),
      event.tenantId,
      actor.type,
      actor.type === 'api_key' ? actor.keyId : null,
      actor.type === 'api_key' ? actor.keyPrefix : null,
      event.action,
      event.target.type,
      event.target.id,
      requestId,
      JSON.stringify(event.details ?? {}),
    ],
  );
}
