import { randomUUID } from 'node:crypto';
import { TEST_EVENT_TYPE, type WebhookEventType } from './events.js';

/** A database handle inside the caller's transaction (TypeORM's EntityManager or DataSource). */
export interface OutboxSql {
  query(text: string, params?: unknown[]): Promise<unknown>;
}

export interface EmittedEvent {
  id: string;
  body: string;
}

/** Event ids double as the `webhook-id` of every delivery of the event: stable across retries. */
export function newEventId(): string {
  return `evt_${randomUUID().replaceAll('-', '')}`;
}

/**
 * The transactional outbox. Call it with the transaction that makes the state change: the event
 * row and one delivery per subscribed, enabled endpoint commit or roll back with that change, so
 * no event is lost and none is invented. The body (Standard Webhooks: type, timestamp, data) is
 * fixed now, so every retry sends the same bytes.
 */
export async function emitWebhookEvent(sql: OutboxSql, tenantId: string, type: WebhookEventType, data: object): Promise<EmittedEvent> {
  const id = newEventId();
  const body = JSON.stringify({ type, timestamp: new Date().toISOString(), data });
  await sql.query(
    `WITH event AS (INSERT INTO webhook_events (id, tenant_id, type, body) VALUES ($1, $2, $3, $4) RETURNING id, tenant_id, type)
     INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, next_attempt_at)
     SELECT gen_random_uuid(), e.tenant_id, e.id, event.id, now()
       FROM event JOIN webhook_endpoints e ON e.tenant_id = event.tenant_id AND e.enabled AND event.type = ANY(e.events)`,
    [id, tenantId, type, body],
  );
  return { id, body };
}

/** A test event for one endpoint (enabled or not): returns the delivery's id. */
export async function emitTestEvent(sql: OutboxSql, tenantId: string, endpointId: string): Promise<string> {
  const id = newEventId();
  const deliveryId = randomUUID();
  const body = JSON.stringify({
    type: TEST_EVENT_TYPE,
    timestamp: new Date().toISOString(),
    data: { endpointId, message: 'A test event from Revela: your endpoint receives and verifies webhooks.' },
  });
  await sql.query(
    `WITH event AS (INSERT INTO webhook_events (id, tenant_id, type, body) VALUES ($1, $2, $3, $4) RETURNING id)
     INSERT INTO webhook_deliveries (id, tenant_id, endpoint_id, event_id, next_attempt_at)
     SELECT $5, $2, $6, event.id, now() FROM event`,
    [id, tenantId, TEST_EVENT_TYPE, body, deliveryId, endpointId],
  );
  return deliveryId;
}
