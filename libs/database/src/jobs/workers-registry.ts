import type { Sql } from './sql.js';

/** The `workers` table: who ran, where, and for how long — the basis of compute cost. */
export class WorkersRegistry {
  constructor(private readonly sql: Sql) {}

  async register(worker: { id: string; kind: 'local' | 'ec2'; instanceId?: string; pid?: number }): Promise<void> {
    await this.sql.query(`INSERT INTO workers (id, kind, instance_id, pid) VALUES ($1, $2, $3, $4)`, [
      worker.id,
      worker.kind,
      worker.instanceId ?? null,
      worker.pid ?? null,
    ]);
  }

  async heartbeat(id: string, pid?: number): Promise<void> {
    await this.sql.query(`UPDATE workers SET last_heartbeat_at = now(), pid = COALESCE($2, pid) WHERE id = $1`, [id, pid ?? null]);
  }

  async stopped(id: string, reason: string): Promise<void> {
    await this.sql.query(`UPDATE workers SET stopped_at = now(), stop_reason = $2 WHERE id = $1 AND stopped_at IS NULL`, [id, reason]);
  }

  /** Workers not known to have stopped whose heartbeat (or start, while booting) is recent. */
  async countAlive(kind: 'local' | 'ec2', staleAfterSeconds: number): Promise<number> {
    const [row] = await this.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM workers
        WHERE kind = $1 AND stopped_at IS NULL
          AND COALESCE(last_heartbeat_at, started_at) > now() - make_interval(secs => $2)`,
      [kind, staleAfterSeconds],
    );
    return Number(row?.n ?? 0);
  }

  /** Files waiting for a worker, including those whose lease lapsed. */
  async backlog(maxAttempts: number): Promise<number> {
    const [row] = await this.sql.query<{ n: string }>(
      `SELECT count(*) AS n FROM job_files f JOIN jobs j ON j.id = f.job_id
        WHERE j.status IN ('queued', 'processing') AND f.attempts < $1
          AND (f.status = 'queued' OR (f.status = 'processing' AND f.lease_until < now()))`,
      [maxAttempts],
    );
    return Number(row?.n ?? 0);
  }
}
