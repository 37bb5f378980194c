import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Outgoing webhooks (Standard Webhooks) with a transactional outbox, and stored responses for
 * Idempotency-Key replays.
 *
 * - `webhook_events` is the outbox: a row is written in the same transaction as the state change
 *   it reports, with the exact body every delivery sends.
 * - `webhook_deliveries` is one event for one endpoint: what the dispatcher retries.
 * - `webhook_attempts` records every try (also the refused ones), for the tenant to see.
 */
export class WebhooksAndIdempotency1763800400000 implements MigrationInterface {
  name = 'WebhooksAndIdempotency1763800400000';

  async up(db: QueryRunner): Promise<void> {
    await db.query(`
      CREATE TABLE webhook_endpoints (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        url text NOT NULL,
        description text NOT NULL DEFAULT '',
        events text[] NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        disabled_reason text,
        disabled_at timestamptz,
        secret text NOT NULL,
        previous_secret text,
        previous_secret_expires_at timestamptz,
        failing_since timestamptz,
        consecutive_failures integer NOT NULL DEFAULT 0,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT webhook_endpoints_tenant_id_key UNIQUE (tenant_id, id)
      )`);
    await db.query(`CREATE INDEX webhook_endpoints_tenant_created ON webhook_endpoints (tenant_id, created_at, id)`);
    await db.query(`
      CREATE TABLE webhook_events (
        id text PRIMARY KEY,
        tenant_id uuid NOT NULL REFERENCES tenants(id) ON DELETE CASCADE,
        type text NOT NULL,
        body text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now())
      )`);
    await db.query(`CREATE INDEX webhook_events_tenant_created ON webhook_events (tenant_id, created_at)`);
    await db.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY,
        tenant_id uuid NOT NULL,
        endpoint_id uuid NOT NULL,
        event_id text NOT NULL REFERENCES webhook_events(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'succeeded', 'failed')),
        -- Failed attempts since window_start (the event, or the last redelivery): the backoff's step.
        attempts integer NOT NULL DEFAULT 0,
        window_start timestamptz NOT NULL DEFAULT now(),
        next_attempt_at timestamptz,
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        updated_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        CONSTRAINT webhook_deliveries_endpoint_fkey FOREIGN KEY (tenant_id, endpoint_id) REFERENCES webhook_endpoints (tenant_id, id) ON DELETE CASCADE
      )`);
    await db.query(`CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`);
    await db.query(`CREATE INDEX webhook_deliveries_endpoint_created ON webhook_deliveries (endpoint_id, created_at, id)`);
    await db.query(`
      CREATE TABLE webhook_attempts (
        id uuid PRIMARY KEY,
        delivery_id uuid NOT NULL REFERENCES webhook_deliveries(id) ON DELETE CASCADE,
        attempted_at timestamptz NOT NULL DEFAULT date_trunc('milliseconds', now()),
        outcome text NOT NULL CHECK (outcome IN ('succeeded', 'failed', 'refused')),
        response_status integer,
        latency_ms integer NOT NULL,
        error text
      )`);
    await db.query(`CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at)`);
    await db.query(`
      CREATE TABLE idempotency_keys (
        scope text NOT NULL,
        key text NOT NULL,
        fingerprint text NOT NULL,
        state text NOT NULL CHECK (state IN ('in_flight', 'completed')),
        locked_until timestamptz,
        response_status integer,
        response_type text,
        response_body text,
        created_at timestamptz NOT NULL DEFAULT now(),
        expires_at timestamptz NOT NULL,
        PRIMARY KEY (scope, key)
      )`);
    await db.query(`CREATE INDEX idempotency_keys_expires ON idempotency_keys (expires_at)`);
  }

  async down(db: QueryRunner): Promise<void> {
    await db.query('DROP TABLE idempotency_keys');
    await db.query('DROP TABLE webhook_attempts');
    await db.query('DROP TABLE webhook_deliveries');
    await db.query('DROP TABLE webhook_events');
    await db.query('DROP TABLE webhook_endpoints');
  }
}
