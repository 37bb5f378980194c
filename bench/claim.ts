/**
 * `npm run bench -- claim`: the fair-share claim (apps/api/src/jobs/workers/fair-claim.ts) against
 * 100,000 queued files over 50 tenants (uneven backlogs: tenant n queues in proportion to n, in
 * 4 jobs each, behind 100,000 finished files of history), on real PostgreSQL. Each timed claim runs
 * in a transaction that is rolled back, so every sample sees the same backlog; a second series
 * commits 1,000 claims in a row and reports which tenants they went to. The plan comes from
 * EXPLAIN (ANALYZE, BUFFERS) of the same statement.
 */
import { randomUUID } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import pg from 'pg';
import { runMigrations } from '#database';
import { FAIR_CLAIM_SQL } from '../apps/api/src/jobs/workers/fair-claim.js';
import { type BenchTable, benchDatabase, median } from './support/infra.js';

const TENANTS = 50;
const QUEUED = 100_000;
const SAMPLES = 500;

export async function benchClaim(): Promise<BenchTable[]> {
  const database = await benchDatabase();
  try {
    await runMigrations(database.url);
    const client = new pg.Client({ connectionString: database.url });
    await client.connect();
    try {
      await seed(client);
      const params = (worker: string) => [3, worker, 60, 32];
      const timings: number[] = [];
      for (let i = 0; i < SAMPLES + 20; i += 1) {
        await client.query('BEGIN');
        const started = performance.now();
        const { rows } = await client.query(FAIR_CLAIM_SQL, params(randomUUID()));
        const elapsed = performance.now() - started;
        await client.query('ROLLBACK');
        if (rows.length !== 1) throw new Error('the claim found nothing to claim');
        if (i >= 20) timings.push(elapsed); // the first ones warm the caches
      }
      await client.query('BEGIN');
      const { rows: plan } = await client.query(`EXPLAIN (ANALYZE, BUFFERS, COSTS OFF) ${FAIR_CLAIM_SQL}`, params(randomUUID()));
      await client.query('ROLLBACK');
      const planText = plan.map((row: Record<string, string>) => row['QUERY PLAN']).join('\n');
      const execution = /Execution Time: ([\d.]+) ms/.exec(planText)?.[1] ?? '?';

      const served = new Map<string, number>();
      const order: string[] = [];
      for (let i = 0; i < 1000; i += 1) {
        const { rows } = await client.query(FAIR_CLAIM_SQL, params(randomUUID()));
        const tenant = rows[0].tenant_id as string;
        served.set(tenant, (served.get(tenant) ?? 0) + 1);
        if (i < 10) order.push(tenant.slice(0, 8));
      }
      const counts = [...served.values()];
      const sorted = [...timings].sort((a, b) => a - b);
      return [
        {
          title: `Fair-share claim: ${QUEUED.toLocaleString('en')} queued files, ${TENANTS} tenants, ${SAMPLES} claims (real PostgreSQL, one connection)`,
          columns: ['median ms', 'p99 ms', 'max ms', 'EXPLAIN ANALYZE execution ms'],
          rows: [[median(timings).toFixed(2), sorted[Math.floor(sorted.length * 0.99)].toFixed(2), sorted.at(-1)!.toFixed(2), execution]],
          notes: [
            'Target: < 5 ms per claim. Client round trip included; each claim rolled back so all see the same backlog.',
            `1,000 committed claims in a row went to ${served.size} tenants, ${Math.min(...counts)}–${Math.max(...counts)} each (equal weights; the files in flight cap is 32, leases do not lapse).`,
            `Plan:\n\n\`\`\`\n${planText}\n\`\`\``,
          ],
        },
      ];
    } finally {
      await client.end();
    }
  } finally {
    await database.close();
  }
}

async function seed(client: pg.Client): Promise<void> {
  await client.query(
    `INSERT INTO tenants (id, name, kind) SELECT gen_random_uuid(), 'studio ' || n, 'studio' FROM generate_series(1, ${TENANTS}) n`,
  );
  await client.query(`CREATE TEMP TABLE t AS SELECT id, row_number() OVER (ORDER BY id) AS n FROM tenants`);
  // 4 jobs per tenant, queued in turn.
  await client.query(`CREATE TEMP TABLE jb AS
    SELECT gen_random_uuid() AS id, t.id AS tenant_id, t.n, k FROM t, generate_series(1, 4) k`);
  await client.query(`INSERT INTO jobs (id, tenant_id, name, preset, status, queued_at)
    SELECT id, tenant_id, 'job ' || k, '{}'::jsonb, CASE WHEN k = 1 THEN 'processing' ELSE 'queued' END, now() - make_interval(secs => 1000 - k * 10 - n)
      FROM jb`);
  // Backlog in proportion to the tenant's number: 100,000 over 50 tenants (tenant 50 queues ~50×
  // tenant 1); history: as many finished files in completed jobs.
  const total = (TENANTS * (TENANTS + 1)) / 2;
  await client.query(`INSERT INTO job_files (id, tenant_id, job_id, filename, bytes, object_key, status, created_at)
    SELECT gen_random_uuid(), jb.tenant_id, jb.id, 'IMG_' || i || '.NEF', 25000000, 'raw/' || jb.id || '/' || i, 'queued', now() - make_interval(secs => i)
      FROM jb, generate_series(1, (${QUEUED} * jb.n / ${total} / 4)::int) i`);
  const { rows } = await client.query(`SELECT count(*)::int AS n FROM job_files WHERE status = 'queued'`);
  const missing = QUEUED - rows[0].n;
  await client.query(
    `INSERT INTO job_files (id, tenant_id, job_id, filename, bytes, object_key, status)
    SELECT gen_random_uuid(), jb.tenant_id, jb.id, 'extra_' || i, 1, 'raw/x/' || i, 'queued' FROM jb, generate_series(1, $1::int) i WHERE jb.n = ${TENANTS} AND jb.k = 4`,
    [missing],
  );
  await client.query(`INSERT INTO jobs (id, tenant_id, name, preset, status, queued_at, finished_at)
    SELECT gen_random_uuid(), id, 'old', '{}'::jsonb, 'completed', now() - interval '2 days', now() - interval '1 day' FROM t`);
  await client.query(`INSERT INTO job_files (id, tenant_id, job_id, filename, bytes, object_key, status, finished_at)
    SELECT gen_random_uuid(), j.tenant_id, j.id, 'OLD_' || i, 1, 'raw/old/' || i, 'done', now() - interval '1 day'
      FROM jobs j, generate_series(1, ${QUEUED / TENANTS}) i WHERE j.status = 'completed'`);
  await client.query(`INSERT INTO tenant_fair_share (tenant_id) SELECT id FROM t`);
  await client.query('ANALYZE');
}
