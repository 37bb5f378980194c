import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { asSystem } from '#database';
import { buildSyntheticDng } from '../../libs/imaging/src/raw/testing/synthetic-dng.js';
import { JobQueueRepository } from '../../apps/api/src/jobs/workers/job-queue.repository.js';
import { createJob, waitForJob } from '../support/studio.js';
import { submitJob, uploadBytes } from '../support/studio-bytes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * The fair-share claim, claim by claim: no workers run (MAX_WORKERS=0); the test claims through the
 * queue repository the worker endpoint uses, on real PostgreSQL, with jobs built through the API.
 */
describe('fair share: who gets the next file', () => {
  let t: TestApp;
  let db: pg.Client;
  const settings = { leaseSeconds: 60, maxAttempts: 3, tenantMaxFilesInFlight: 32 };

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '0' });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  /** A submitted job of `count` one-byte files; returns the file ids in upload order. */
  async function queueJob(key: string, name: string, count: number): Promise<{ jobId: string; files: string[] }> {
    const jobId = await createJob(t, key, { name });
    const files: string[] = [];
    for (let i = 0; i < count; i += 1) files.push(await uploadBytes(t, key, jobId, `${name}_${i}.dng`, Buffer.from([i])));
    await submitJob(t, key, jobId);
    return { jobId, files };
  }

  async function claimAll(limit = 1000): Promise<Array<{ tenantId: string; jobId: string; id: string }>> {
    const queue = t.app.get(JobQueueRepository);
    const claimed = [];
    for (let i = 0; i < limit; i += 1) {
      // The worker endpoint claims in the system scope: the queue spans every tenant.
      const file = await asSystem('test: worker claim', () => queue.claim(randomUUID(), settings));
      if (!file) break;
      claimed.push(file);
    }
    return claimed;
  }

  async function setLimits(tenantId: string, limits: { weight?: number; maxFilesInFlight?: number }): Promise<void> {
    const res = await t.http().patch(`/v1/admin/tenants/${tenantId}/limits`).set('Authorization', `Bearer ${t.adminToken}`).send(limits);
    assert.equal(res.status, 200, res.text);
  }

  it('alternates between tenants with work, and serves a tenant that arrives late before the busy one', async () => {
    const a = await t.createTenant('studio', 'A');
    const b = await t.createTenant('studio', 'B');
    const first = await queueJob(a.key, 'a1', 8);
    const second = await queueJob(a.key, 'a2', 2);
    const queue = t.app.get(JobQueueRepository);
    // A alone: its oldest job first, files in upload order.
    const claimOne = () => asSystem('test: worker claim', () => queue.claim(randomUUID(), settings));
    const early = [await claimOne(), await claimOne()];
    assert.deepEqual(
      early.map((f) => f?.id),
      first.files.slice(0, 2),
    );

    const late = await queueJob(b.key, 'b1', 3);
    const rest = await claimAll();
    const who = rest.map((f) => (f.tenantId === a.id ? 'A' : 'B')).join('');
    // B has been served less recently than A (never), so it goes first, then they take turns.
    assert.equal(who, 'BABABAAAAAA');
    assert.deepEqual(
      rest.filter((f) => f.tenantId === b.id).map((f) => f.id),
      late.files,
    );
    assert.deepEqual(
      rest.filter((f) => f.tenantId === a.id).map((f) => f.id),
      [...first.files.slice(2), ...second.files],
      'within a tenant: the oldest job first, each job in upload order',
    );
  });

  it('serves tenants in proportion to their weights', async () => {
    const heavy = await t.createTenant('studio', 'heavy');
    const light = await t.createTenant('studio', 'light');
    await setLimits(heavy.id, { weight: 3 });
    await queueJob(heavy.key, 'h', 12);
    await queueJob(light.key, 'l', 12);
    const claimed = await claimAll(16);
    const heavyShare = claimed.filter((f) => f.tenantId === heavy.id).length;
    assert.equal(heavyShare, 12, `weight 3 against 1: 12 of the first 16 claims, got ${heavyShare}`);
    await claimAll();
  });

  it('never has more of a tenant’s files in flight than its cap, and gives the slots to others meanwhile', async () => {
    const capped = await t.createTenant('studio', 'capped');
    const other = await t.createTenant('studio', 'other');
    await setLimits(capped.id, { maxFilesInFlight: 2 });
    await queueJob(capped.key, 'c', 6);
    await queueJob(other.key, 'o', 3);
    const claimed = await claimAll();
    assert.equal(claimed.filter((f) => f.tenantId === capped.id).length, 2);
    assert.equal(claimed.filter((f) => f.tenantId === other.id).length, 3);

    // A lease that lapsed (its worker vanished) no longer counts as in flight: the file is taken over.
    await db.query(`UPDATE job_files SET lease_until = now() - interval '1 second' WHERE id = $1`, [
      claimed.find((f) => f.tenantId === capped.id)!.id,
    ]);
    const after = await claimAll();
    assert.equal(after.length, 1);
    assert.equal(after[0].tenantId, capped.id);
  });
});

/**
 * End to end, with a real worker (one worker, two files at a time) developing small synthetic DNGs:
 * a studio that queues a large batch does not hold up a studio that queues a small one after it.
 */
describe('fair share: a small job is not stuck behind a big one', () => {
  let t: TestApp;
  let db: pg.Client;

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '1', WORKER_CONCURRENCY: '2', IDLE_SHUTDOWN_SECONDS: '5' });
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  it('B’s 5 files finish before A has developed a quarter of its 200', async () => {
    const a = await t.createTenant('studio', 'Studio A');
    const b = await t.createTenant('studio', 'Studio B');
    const preset = { variants: [{ name: 'web', longEdge: 64, format: 'jpeg', quality: 80 }] };
    const big = await createJob(t, a.key, { name: 'A: 200 RAWs', preset });
    const small = await createJob(t, b.key, { name: 'B: 5 RAWs', preset });
    for (let i = 0; i < 200; i += 1) await uploadBytes(t, a.key, big, `A_${i}.dng`, buildSyntheticDng({ width: 96, height: 64, seed: i }));
    for (let i = 0; i < 5; i += 1)
      await uploadBytes(t, b.key, small, `B_${i}.dng`, buildSyntheticDng({ width: 96, height: 64, seed: 1000 + i }));

    await submitJob(t, a.key, big);
    // B queues after A, once A's files are being developed.
    for (let i = 0; i < 300; i += 1) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM job_files WHERE job_id = $1 AND status <> 'queued'`, [big]);
      if (rows[0].n > 0) break;
      await sleep(100);
    }
    await submitJob(t, b.key, small);
    const done = await waitForJob(t, b.key, small);
    assert.equal(done.status, 'completed');

    const { rows } = await db.query(
      `SELECT j.name, f.filename FROM job_files f JOIN jobs j ON j.id = f.job_id WHERE f.status = 'done' ORDER BY f.finished_at, f.filename`,
    );
    const aDone = rows.filter((r) => r.name.startsWith('A')).length;
    const order = rows.map((r) => (r.name.startsWith('A') ? 'A' : 'B')).join('');
    process.stdout.write(`# order of completion when B's job completed: ${order} (A done: ${aDone}/200)\n`);
    assert.ok(aDone < 50, `A had ${aDone} of 200 files developed when B's job completed (order ${order})`);

    const canceled = await t.http().post(`/v1/jobs/${big}/cancel`).set('Authorization', `Bearer ${a.key}`);
    assert.equal(canceled.status, 200);
  });
});
