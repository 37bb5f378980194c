import { ACTIVE_JOB_STATUSES } from '#database';

/**
 * The tenant (a column holding its id) may have its work scheduled: neither suspended by the
 * platform admin nor being deleted. Every claim and every count of work to launch capacity for
 * passes it, so a suspended tenant's queue waits, untouched, until it is resumed.
 */
export function tenantAtWork(tenantIdColumn: string): string {
  return `EXISTS (SELECT 1 FROM tenants tw WHERE tw.id = ${tenantIdColumn} AND tw.suspended_at IS NULL AND tw.deleting_at IS NULL)`;
}

/**
 * The fair-share claim, one statement.
 *
 * 1. `tenant`: among tenants at work (not suspended, not being deleted) with a claimable file and
 *    fewer files in flight than their cap, the one with the lowest `pass` (virtual time; ties: least recently served). Its fair-share row is
 *    locked (SKIP LOCKED), so concurrent claims spread over tenants instead of queueing on one.
 * 2. `next`: that tenant's oldest active job (queue order), and in it the oldest claimable file.
 * 3. The file is leased, the tenant's pass grows by 1/weight, and the job starts.
 *
 * Every step walks a partial index (jobs_active_by_tenant, job_files_pending_by_job,
 * job_files_in_flight_by_tenant), so the cost grows with the number of tenants with work, not with
 * the backlog. Parameters: $1 max attempts, $2 worker id, $3 lease seconds, $4 default cap of files
 * in flight per tenant.
 */
export const FAIR_CLAIM_SQL = (() => {
  // Literal (not a parameter) so that the planner can match the partial indexes' predicates.
  const active = `(${ACTIVE_JOB_STATUSES.map((s) => `'${s}'`).join(', ')})`;
  const claimable = `(f.status = 'queued' OR (f.status = 'processing' AND f.lease_until < now())) AND f.attempts < $1`;
  return `
WITH tenant AS (
  SELECT s.tenant_id, COALESCE(l.weight, 1) AS weight
    FROM tenant_fair_share s
    LEFT JOIN tenant_limits l ON l.tenant_id = s.tenant_id
   WHERE ${tenantAtWork('s.tenant_id')}
     AND EXISTS (SELECT 1 FROM jobs j
                  WHERE j.tenant_id = s.tenant_id AND j.status IN ${active}
                    AND EXISTS (SELECT 1 FROM job_files f WHERE f.job_id = j.id AND ${claimable}))
     AND (SELECT count(*) FROM job_files p
           WHERE p.tenant_id = s.tenant_id AND p.status = 'processing' AND p.lease_until >= now())
         < COALESCE(l.max_files_in_flight, $4)
   ORDER BY s.pass, s.last_served_at NULLS FIRST, s.tenant_id
   LIMIT 1
   FOR UPDATE OF s SKIP LOCKED
), next AS (
  SELECT n.id, n.job_id, t.tenant_id, t.weight
    FROM tenant t
   CROSS JOIN LATERAL (
     SELECT f.id, f.job_id
       FROM jobs j
      CROSS JOIN LATERAL (SELECT f.id, f.job_id FROM job_files f
                           WHERE f.job_id = j.id AND ${claimable}
                           ORDER BY f.created_at, f.id LIMIT 1) f
      WHERE j.tenant_id = t.tenant_id AND j.status IN ${active}
      ORDER BY j.queued_at, j.id
      LIMIT 1) n
), claimed AS (
  UPDATE job_files f
     SET status = 'processing', attempts = f.attempts + 1, lease_owner = $2,
         lease_until = now() + make_interval(secs => $3), started_at = now(), error = NULL
    FROM next
   WHERE f.id = next.id AND ${claimable}
  RETURNING f.id, f.job_id, f.tenant_id, f.filename, f.object_key, f.attempts
), served AS (
  UPDATE tenant_fair_share s
     SET pass = s.pass + 1.0 / next.weight, last_served_at = clock_timestamp()
    FROM next JOIN claimed ON claimed.id = next.id
   WHERE s.tenant_id = next.tenant_id
), started AS (
  UPDATE jobs j
     SET status = CASE WHEN j.status = 'queued' THEN 'processing' ELSE j.status END,
         started_at = COALESCE(j.started_at, now())
    FROM claimed
   WHERE j.id = claimed.job_id
  RETURNING j.id, j.preset
)
SELECT c.id, c.job_id, c.tenant_id, c.filename, c.object_key, c.attempts, started.preset
  FROM claimed c JOIN started ON started.id = c.job_id`;
})();

/**
 * Makes a tenant that (re)gains queued work a candidate for the claim. A tenant returning after a
 * quiet spell starts level with the least-served active tenant: idle time is not credit to spend in a
 * burst, and a newcomer is never behind. $1 tenant id. A database function (migration 1764200000000),
 * because it reads the other tenants' pass, which the tenant's own row-level scope cannot see.
 */
export const ACTIVATE_TENANT_SQL = `SELECT revela_activate_tenant($1)`;
