import { Injectable, Logger, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { type AppConfig, InjectConfig } from '#config';
import { asSystem, rowsOf, withTenant } from '#database';

/** How long a request holds its key before another one may take it over (the first died mid-way). */
const IN_FLIGHT_LEASE_SECONDS = 600;
const SWEEP_EVERY_MS = 600_000;

export interface StoredResponse {
  status: number;
  contentType: string | null;
  body: string;
}

export type Reservation =
  { kind: 'reserved' } | { kind: 'replay'; response: StoredResponse } | { kind: 'mismatch' } | { kind: 'in_flight' };

/**
 * Idempotency keys (IETF `Idempotency-Key`), per scope (a tenant, or the platform admin). The first
 * request with a key reserves it; its response is stored when it succeeds and replayed for
 * IDEMPOTENCY_TTL_SECONDS; a failure frees the key. Expired keys are ignored, then swept.
 */
@Injectable()
export class IdempotencyStore implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(IdempotencyStore.name);
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @InjectDataSource() private readonly db: DataSource,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(
      () => void this.sweep().catch((err: unknown) => this.logger.warn({ err }, 'idempotency sweep failed')),
      SWEEP_EVERY_MS,
    );
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Runs fn in the database scope the key belongs to. The answer is stored from Fastify's onSend
   * hook, outside the request's scope, so the store names it itself: `tenant:<id>` or `admin`.
   */
  private scoped<T>(scope: string, fn: () => Promise<T>): Promise<T> {
    if (scope.startsWith('tenant:')) return withTenant(scope.slice('tenant:'.length), fn);
    return asSystem('platform admin idempotency', fn);
  }

  reserve(scope: string, key: string, fingerprint: string): Promise<Reservation> {
    return this.scoped(scope, () => this.reserveInScope(scope, key, fingerprint));
  }

  private async reserveInScope(scope: string, key: string, fingerprint: string): Promise<Reservation> {
    // A new key, an expired one, or one whose holder died with the same request: this request takes it.
    const taken = rowsOf(
      await this.db.query(
        `INSERT INTO idempotency_keys AS k (scope, key, fingerprint, state, locked_until, expires_at)
         VALUES ($1, $2, $3, 'in_flight', now() + make_interval(secs => $4), now() + make_interval(secs => $5))
         ON CONFLICT (scope, key) DO UPDATE
            SET fingerprint = EXCLUDED.fingerprint, state = 'in_flight', locked_until = EXCLUDED.locked_until, expires_at = EXCLUDED.expires_at,
                created_at = now(), response_status = NULL, response_type = NULL, response_body = NULL
          WHERE k.expires_at <= now() OR (k.state = 'in_flight' AND k.locked_until < now() AND k.fingerprint = EXCLUDED.fingerprint)
         RETURNING k.key`,
        [scope, key, fingerprint, IN_FLIGHT_LEASE_SECONDS, this.config.idempotencyTtlSeconds],
      ),
    );
    if (taken.length === 1) return { kind: 'reserved' };
    const [row] = rowsOf<{
      fingerprint: string;
      state: string;
      response_status: number;
      response_type: string | null;
      response_body: string;
    }>(
      await this.db.query(
        `SELECT fingerprint, state, response_status, response_type, response_body FROM idempotency_keys WHERE scope = $1 AND key = $2 AND expires_at > now()`,
        [scope, key],
      ),
    );
    if (!row) return this.reserveInScope(scope, key, fingerprint); // freed or expired meanwhile
    if (row.fingerprint !== fingerprint) return { kind: 'mismatch' };
    if (row.state === 'in_flight') return { kind: 'in_flight' };
    return { kind: 'replay', response: { status: row.response_status, contentType: row.response_type, body: row.response_body } };
  }

  async complete(scope: string, key: string, response: StoredResponse): Promise<void> {
    await this.scoped(scope, () =>
      this.db.query(
        `UPDATE idempotency_keys SET state = 'completed', locked_until = NULL, response_status = $3, response_type = $4, response_body = $5
        WHERE scope = $1 AND key = $2 AND state = 'in_flight'`,
        [scope, key, response.status, response.contentType, response.body],
      ),
    );
  }

  /** The request failed: the key is free again, so that the client can retry with it. */
  async release(scope: string, key: string): Promise<void> {
    await this.scoped(scope, () =>
      this.db.query(`DELETE FROM idempotency_keys WHERE scope = $1 AND key = $2 AND state = 'in_flight'`, [scope, key]),
    );
  }

  /** Deletes expired keys; returns how many. */
  async sweep(): Promise<number> {
    const swept: unknown = await asSystem('idempotency sweep', () =>
      this.db.query(`DELETE FROM idempotency_keys WHERE expires_at <= now() RETURNING key`),
    );
    return rowsOf(swept).length;
  }
}
