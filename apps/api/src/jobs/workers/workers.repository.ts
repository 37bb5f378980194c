import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { rowsOf } from '#database';

export type WorkerKind = 'local' | 'ec2';

/** The `workers` table: who ran, where, for how long (the basis of compute cost), and their tokens. */
@Injectable()
export class WorkersRepository {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  async register(worker: { id: string; kind: WorkerKind; tokenHash: Buffer; tokenTtlSeconds: number }): Promise<void> {
    await this.db.query(
      `INSERT INTO workers (id, kind, token_hash, token_expires_at) VALUES ($1, $2, $3, now() + make_interval(secs => $4))`,
      [worker.id, worker.kind, worker.tokenHash, worker.tokenTtlSeconds],
    );
  }

  async attachInstance(id: string, instanceId: string): Promise<void> {
    await this.db.query(`UPDATE workers SET instance_id = $2 WHERE id = $1`, [id, instanceId]);
  }

  /** The running worker a token belongs to; undefined once it stopped, expired or never existed. */
  async findByToken(tokenHash: Buffer): Promise<{ id: string; kind: WorkerKind } | undefined> {
    const rows: unknown = await this.db.query(
      `SELECT id, kind FROM workers WHERE token_hash = $1 AND stopped_at IS NULL AND token_expires_at > now()`,
      [tokenHash],
    );
    return rowsOf<{ id: string; kind: WorkerKind }>(rows)[0];
  }

  async heartbeat(id: string, pid?: number): Promise<void> {
    await this.db.query(`UPDATE workers SET last_heartbeat_at = now(), pid = COALESCE($2, pid) WHERE id = $1`, [id, pid ?? null]);
  }

  /** Records the stop and revokes the token; false when the stop was already recorded. */
  async stopped(id: string, reason: string): Promise<boolean> {
    // A stopped worker builds no ZIP: its archive leases end with it, so the next pass takes them
    // over instead of waiting out the lease.
    const rows: unknown = await this.db.query(
      `WITH stopped AS (
         UPDATE workers SET stopped_at = now(), stop_reason = $2, token_hash = NULL WHERE id = $1 AND stopped_at IS NULL RETURNING id
       ), released AS (
         UPDATE jobs SET archive_lease_until = NULL, archive_owner = NULL
          WHERE archive_owner = $1 AND EXISTS (SELECT 1 FROM stopped)
       )
       SELECT id FROM stopped`,
      [id, reason],
    );
    return rowsOf(rows).length === 1;
  }

  /**
   * Workers not known to have stopped that must be ended: their heartbeat (or start, while booting)
   * is older than `staleAfterSeconds`, or they started more than `maxLifetimeSeconds` ago.
   */
  async overdue(
    kind: WorkerKind,
    staleAfterSeconds: number,
    maxLifetimeSeconds: number,
  ): Promise<Array<{ id: string; instanceId: string | null; reason: string }>> {
    const rows: unknown = await this.db.query(
      `SELECT id, instance_id,
              CASE WHEN started_at < now() - make_interval(secs => $3::int) THEN 'reached its maximum lifetime of ' || $3::int || ' s'
                   ELSE 'no heartbeat for ' || $2::int || ' s' END AS reason
         FROM workers
        WHERE kind = $1 AND stopped_at IS NULL
          AND (COALESCE(last_heartbeat_at, started_at) < now() - make_interval(secs => $2::int) OR started_at < now() - make_interval(secs => $3::int))
        ORDER BY started_at`,
      [kind, staleAfterSeconds, maxLifetimeSeconds],
    );
    return rowsOf<{ id: string; instance_id: string | null; reason: string }>(rows).map((r) => ({
      id: r.id,
      instanceId: r.instance_id,
      reason: r.reason,
    }));
  }

  /** Workers not known to have stopped whose heartbeat (or start, while booting) is recent. */
  async countAlive(kind: WorkerKind, staleAfterSeconds: number): Promise<number> {
    const [row] = rowsOf<{ n: string }>(
      await this.db.query(
        `SELECT count(*) AS n FROM workers
        WHERE kind = $1 AND stopped_at IS NULL
          AND COALESCE(last_heartbeat_at, started_at) > now() - make_interval(secs => $2)`,
        [kind, staleAfterSeconds],
      ),
    );
    return Number(row?.n ?? 0);
  }
}
