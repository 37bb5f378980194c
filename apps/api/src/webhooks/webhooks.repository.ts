import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type Cursor, cursorParams, keysetSql, rowsOf } from '#database';
import type { WebhookEventType } from './events.js';
import { emitTestEvent } from './outbox.js';
import type { AttemptResult } from './webhook-sender.js';

export interface EndpointRow {
  id: string;
  tenantId: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabledReason: string | null;
  disabledAt: Date | null;
  failingSince: Date | null;
  previousSecretExpiresAt: Date | null;
  createdAt: Date;
  updatedAt: Date;
}

export interface AttemptRow {
  attemptedAt: Date;
  outcome: AttemptResult['outcome'];
  responseStatus: number | null;
  latencyMs: number;
  error: string | null;
}

export interface DeliveryRow {
  id: string;
  eventId: string;
  eventType: string;
  status: 'pending' | 'succeeded' | 'failed';
  nextAttemptAt: Date | null;
  createdAt: Date;
  attempts: AttemptRow[];
}

/** A delivery the dispatcher holds, with everything it needs to send it. */
export interface DueDelivery {
  id: string;
  tenantId: string;
  endpointId: string;
  eventId: string;
  body: string;
  url: string;
  secrets: string[];
  failedAttempts: number;
  windowStart: Date;
}

export const ENDPOINT_DISABLED = 'the endpoint was disabled';

const ENDPOINT_COLUMNS = `id, tenant_id, url, description, events, enabled, disabled_reason, disabled_at, failing_since,
  CASE WHEN previous_secret_expires_at > now() THEN previous_secret_expires_at END AS previous_secret_expires_at, created_at, updated_at`;

const DELIVERY_COLUMNS = `d.id, d.event_id, ev.type AS event_type, d.status, d.next_attempt_at, d.created_at,
  COALESCE((SELECT json_agg(json_build_object('attemptedAt', a.attempted_at, 'outcome', a.outcome, 'responseStatus', a.response_status,
                                              'latencyMs', a.latency_ms, 'error', a.error) ORDER BY a.attempted_at, a.id)
              FROM webhook_attempts a WHERE a.delivery_id = d.id), '[]'::json) AS attempts`;

/** Endpoints, deliveries and attempts. Tenant-facing methods take the tenant id and filter by it. */
@Injectable()
export class WebhooksRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async createEndpoint(
    tenantId: string,
    input: { url: string; description: string; events: string[]; secret: string },
  ): Promise<EndpointRow> {
    const rows = rowsOf<EndpointRecord>(
      await this.db.query(
        `INSERT INTO webhook_endpoints (id, tenant_id, url, description, events, secret) VALUES ($1, $2, $3, $4, $5, $6) RETURNING ${ENDPOINT_COLUMNS}`,
        [randomUUID(), tenantId, input.url, input.description, input.events, input.secret],
      ),
    );
    return toEndpoint(rows[0]);
  }

  async listEndpoints(tenantId: string, limit: number, after?: Cursor): Promise<EndpointRow[]> {
    const rows = rowsOf<EndpointRecord>(
      await this.db.query(
        `SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints
          WHERE tenant_id = $1 AND ${keysetSql(null, 2)}
          ORDER BY created_at, id LIMIT $4`,
        [tenantId, ...cursorParams(after), limit],
      ),
    );
    return rows.map(toEndpoint);
  }

  async findEndpoint(tenantId: string, id: string): Promise<EndpointRow | undefined> {
    const rows = rowsOf<EndpointRecord>(
      await this.db.query(`SELECT ${ENDPOINT_COLUMNS} FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2`, [id, tenantId]),
    );
    return rows[0] ? toEndpoint(rows[0]) : undefined;
  }

  /**
   * Applies a patch. Enabling clears the failure record; disabling (by the tenant) ends the
   * deliveries still pending, as Revela does when it disables a failing endpoint.
   */
  async updateEndpoint(
    tenantId: string,
    id: string,
    patch: { url?: string; description?: string; events?: string[]; enabled?: boolean },
  ): Promise<EndpointRow | undefined> {
    return this.db.transaction(async (manager) => {
      const rows = rowsOf<EndpointRecord>(
        await manager.query(
          `UPDATE webhook_endpoints SET
              url = COALESCE($3::text, url),
              description = COALESCE($4::text, description),
              events = COALESCE($5::text[], events),
              enabled = COALESCE($6::boolean, enabled),
              disabled_reason = CASE WHEN $6::boolean IS NULL THEN disabled_reason WHEN $6::boolean THEN NULL
                                     WHEN enabled THEN 'disabled by the tenant' ELSE disabled_reason END,
              disabled_at = CASE WHEN $6::boolean IS NULL THEN disabled_at WHEN $6::boolean THEN NULL WHEN enabled THEN now() ELSE disabled_at END,
              failing_since = CASE WHEN $6::boolean THEN NULL ELSE failing_since END,
              consecutive_failures = CASE WHEN $6::boolean THEN 0 ELSE consecutive_failures END,
              updated_at = date_trunc('milliseconds', now())
            WHERE id = $1 AND tenant_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
          [id, tenantId, patch.url ?? null, patch.description ?? null, patch.events ?? null, patch.enabled ?? null],
        ),
      );
      if (!rows[0]) return undefined;
      if (patch.enabled === false) await failPending(manager, id, ENDPOINT_DISABLED);
      return toEndpoint(rows[0]);
    });
  }

  async deleteEndpoint(tenantId: string, id: string): Promise<boolean> {
    const rows = rowsOf(await this.db.query(`DELETE FROM webhook_endpoints WHERE id = $1 AND tenant_id = $2 RETURNING id`, [id, tenantId]));
    return rows.length === 1;
  }

  /** The new secret signs from now on; the old one also signs until `overlapSeconds` from now. */
  async rotateSecret(tenantId: string, id: string, secret: string, overlapSeconds: number): Promise<EndpointRow | undefined> {
    const rows = rowsOf<EndpointRecord>(
      await this.db.query(
        `UPDATE webhook_endpoints SET previous_secret = secret, previous_secret_expires_at = now() + make_interval(secs => $4),
                secret = $3, updated_at = date_trunc('milliseconds', now())
          WHERE id = $1 AND tenant_id = $2 RETURNING ${ENDPOINT_COLUMNS}`,
        [id, tenantId, secret, overlapSeconds],
      ),
    );
    return rows[0] ? toEndpoint(rows[0]) : undefined;
  }

  async createTestDelivery(tenantId: string, endpointId: string): Promise<string> {
    return this.db.transaction((manager) => emitTestEvent(manager, tenantId, endpointId));
  }

  async listDeliveries(tenantId: string, endpointId: string, limit: number, after?: Cursor): Promise<DeliveryRow[]> {
    const rows = rowsOf<DeliveryRecord>(
      await this.db.query(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
        WHERE d.endpoint_id = $1 AND d.tenant_id = $2
          AND ${keysetSql('d', 3, true)}
        ORDER BY d.created_at DESC, d.id DESC LIMIT $5`,
        [endpointId, tenantId, ...cursorParams(after), limit],
      ),
    );
    return rows.map(toDelivery);
  }

  async findDelivery(tenantId: string, endpointId: string, id: string): Promise<DeliveryRow | undefined> {
    const rows = rowsOf<DeliveryRecord>(
      await this.db.query(
        `SELECT ${DELIVERY_COLUMNS} FROM webhook_deliveries d JOIN webhook_events ev ON ev.id = d.event_id
        WHERE d.id = $1 AND d.endpoint_id = $2 AND d.tenant_id = $3`,
        [id, endpointId, tenantId],
      ),
    );
    return rows[0] ? toDelivery(rows[0]) : undefined;
  }

  /** Sends the delivery again now, with a fresh retry schedule; its attempts so far stay listed. */
  async redeliver(tenantId: string, endpointId: string, id: string): Promise<boolean> {
    const rows = rowsOf(
      await this.db.query(
        `UPDATE webhook_deliveries SET status = 'pending', attempts = 0, window_start = now(), next_attempt_at = now(),
                locked_until = NULL, last_error = NULL, updated_at = now()
          WHERE id = $1 AND endpoint_id = $2 AND tenant_id = $3 RETURNING id`,
        [id, endpointId, tenantId],
      ),
    );
    return rows.length === 1;
  }

  // The dispatcher's side: no tenant, it serves them all.

  /** Leases up to `limit` due deliveries of enabled endpoints (several API processes never send one twice at once). */
  async claimDue(limit: number, leaseSeconds: number): Promise<DueDelivery[]> {
    const rows = rowsOf<DueRecord>(
      await this.db.query(
        `WITH due AS (
         SELECT d.id FROM webhook_deliveries d JOIN webhook_endpoints e ON e.id = d.endpoint_id
          WHERE d.status = 'pending' AND d.next_attempt_at <= now() AND (d.locked_until IS NULL OR d.locked_until < now()) AND e.enabled
          ORDER BY d.next_attempt_at LIMIT $1 FOR UPDATE OF d SKIP LOCKED),
       claimed AS (
         UPDATE webhook_deliveries d SET locked_until = now() + make_interval(secs => $2) FROM due WHERE d.id = due.id
         RETURNING d.id, d.tenant_id, d.endpoint_id, d.event_id, d.attempts, d.window_start)
       SELECT c.*, ev.body, e.url, e.secret, CASE WHEN e.previous_secret_expires_at > now() THEN e.previous_secret END AS previous_secret
         FROM claimed c JOIN webhook_events ev ON ev.id = c.event_id JOIN webhook_endpoints e ON e.id = c.endpoint_id`,
        [limit, leaseSeconds],
      ),
    );
    return rows.map((row) => ({
      id: row.id,
      tenantId: row.tenant_id,
      endpointId: row.endpoint_id,
      eventId: row.event_id,
      body: row.body,
      url: row.url,
      secrets: row.previous_secret ? [row.secret, row.previous_secret] : [row.secret],
      failedAttempts: row.attempts,
      windowStart: row.window_start,
    }));
  }

  /**
   * Records one attempt and what follows from it, atomically: the delivery's next step, and the
   * endpoint's failure record. An endpoint that has failed without a success for
   * `disableAfterSeconds` is disabled, with the reason, and its pending deliveries end.
   * Returns whether this attempt disabled the endpoint.
   */
  async recordAttempt(
    delivery: DueDelivery,
    result: AttemptResult,
    nextAttemptAt: Date | null,
    disableAfterSeconds: number,
  ): Promise<boolean> {
    return this.db.transaction(async (manager) => {
      // Endpoint first, then its delivery: the order a DELETE of the endpoint takes them in (its
      // cascade reaches the deliveries), so the two cannot deadlock.
      await manager.query(`SELECT 1 FROM webhook_endpoints WHERE id = $1 FOR NO KEY UPDATE`, [delivery.endpointId]);
      // The endpoint (and its deliveries) may have been deleted while the request was out.
      const recorded = rowsOf(
        await manager.query(
          `INSERT INTO webhook_attempts (id, delivery_id, outcome, response_status, latency_ms, error)
           SELECT $1, $2, $3, $4, $5, $6 WHERE EXISTS (SELECT 1 FROM webhook_deliveries WHERE id = $2) RETURNING id`,
          [randomUUID(), delivery.id, result.outcome, result.responseStatus, result.latencyMs, result.error],
        ),
      );
      if (recorded.length === 0) return false;
      const succeeded = result.outcome === 'succeeded';
      await manager.query(
        `UPDATE webhook_deliveries SET status = $2::text, attempts = CASE WHEN $2::text = 'succeeded' THEN attempts ELSE attempts + 1 END,
                next_attempt_at = $3::timestamptz, locked_until = NULL, last_error = $4::text, updated_at = now()
          WHERE id = $1`,
        [delivery.id, succeeded ? 'succeeded' : nextAttemptAt ? 'pending' : 'failed', succeeded ? null : nextAttemptAt, result.error],
      );
      if (succeeded) {
        await manager.query(
          `UPDATE webhook_endpoints SET failing_since = NULL, consecutive_failures = 0 WHERE id = $1 AND failing_since IS NOT NULL`,
          [delivery.endpointId],
        );
        return false;
      }
      const [endpoint] = rowsOf<{ enabled: boolean; consecutive_failures: number; failing_too_long: boolean }>(
        await manager.query(
          `UPDATE webhook_endpoints SET failing_since = COALESCE(failing_since, now()), consecutive_failures = consecutive_failures + 1
            WHERE id = $1
            RETURNING enabled, consecutive_failures, failing_since <= now() - make_interval(secs => $2) AS failing_too_long`,
          [delivery.endpointId, disableAfterSeconds],
        ),
      );
      if (!endpoint?.enabled || !endpoint.failing_too_long) return false;
      await manager.query(
        `UPDATE webhook_endpoints SET enabled = false, disabled_at = now(), updated_at = date_trunc('milliseconds', now()),
                disabled_reason = 'disabled by Revela: every delivery failed since ' || to_char(failing_since AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')
                                  || ' (' || consecutive_failures || ' attempts; last: ' || $2::text || ')'
          WHERE id = $1`,
        [delivery.endpointId, result.error ?? 'failed'],
      );
      await failPending(manager, delivery.endpointId, ENDPOINT_DISABLED);
      return true;
    });
  }

  /** Gives a lease back without an attempt (shutdown while it waited). */
  async release(deliveryId: string): Promise<void> {
    await this.db.query(`UPDATE webhook_deliveries SET locked_until = NULL WHERE id = $1`, [deliveryId]);
  }

  /** Events (with their deliveries and attempts) older than the retention are deleted. */
  async deleteEventsOlderThan(days: number): Promise<void> {
    await this.db.query(`DELETE FROM webhook_events WHERE created_at < now() - make_interval(days => $1)`, [days]);
  }
}

async function failPending(
  manager: { query(text: string, params?: unknown[]): Promise<unknown> },
  endpointId: string,
  reason: string,
): Promise<void> {
  await manager.query(
    `UPDATE webhook_deliveries SET status = 'failed', next_attempt_at = NULL, locked_until = NULL, last_error = $2, updated_at = now()
      WHERE endpoint_id = $1 AND status = 'pending'`,
    [endpointId, reason],
  );
}

interface EndpointRecord {
  id: string;
  tenant_id: string;
  url: string;
  description: string;
  events: WebhookEventType[];
  enabled: boolean;
  disabled_reason: string | null;
  disabled_at: Date | null;
  failing_since: Date | null;
  previous_secret_expires_at: Date | null;
  created_at: Date;
  updated_at: Date;
}

interface DeliveryRecord {
  id: string;
  event_id: string;
  event_type: string;
  status: DeliveryRow['status'];
  next_attempt_at: Date | null;
  created_at: Date;
  /** json_agg of the attempts: timestamps arrive as strings. */
  attempts: Array<Omit<AttemptRow, 'attemptedAt'> & { attemptedAt: string }>;
}

interface DueRecord {
  id: string;
  tenant_id: string;
  endpoint_id: string;
  event_id: string;
  attempts: number;
  window_start: Date;
  body: string;
  url: string;
  secret: string;
  previous_secret: string | null;
}

function toEndpoint(row: EndpointRecord): EndpointRow {
  return {
    id: row.id,
    tenantId: row.tenant_id,
    url: row.url,
    description: row.description,
    events: row.events,
    enabled: row.enabled,
    disabledReason: row.disabled_reason,
    disabledAt: row.disabled_at,
    failingSince: row.failing_since,
    previousSecretExpiresAt: row.previous_secret_expires_at,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function toDelivery(row: DeliveryRecord): DeliveryRow {
  return {
    id: row.id,
    eventId: row.event_id,
    eventType: row.event_type,
    status: row.status,
    nextAttemptAt: row.next_attempt_at,
    createdAt: row.created_at,
    attempts: row.attempts.map((a) => ({
      attemptedAt: new Date(a.attemptedAt),
      outcome: a.outcome,
      responseStatus: a.responseStatus,
      latencyMs: a.latencyMs,
      error: a.error,
    })),
  };
}
