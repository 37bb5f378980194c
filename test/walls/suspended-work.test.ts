import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { asSystem } from '#database';
import { JobQueueRepository } from '../../apps/api/src/jobs/workers/job-queue.repository.js';
import { createJob } from '../support/studio.js';
import { submitJob, uploadBytes } from '../support/studio-bytes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

/**
 * A suspended tenant's work stops being scheduled: its queued files stay queued (no claim, no
 * capacity launched for them) while other tenants are served, and are claimed again once it is
 * resumed. No workers run (MAX_WORKERS=0): the test claims as the worker endpoint does.
 */
describe('suspended tenants: their work is not scheduled', () => {
  let t: TestApp;
  const settings = { leaseSeconds: 60, maxAttempts: 3, tenantMaxFilesInFlight: 32 };

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '0' });
  });
  after(async () => {
    await t.close();
  });

  async function queueJob(key: string, name: string, count: number): Promise<string[]> {
    const jobId = await createJob(t, key, { name });
    const files: string[] = [];
    for (let i = 0; i < count; i += 1) files.push(await uploadBytes(t, key, jobId, `${name}_${i}.dng`, Buffer.from([i])));
    await submitJob(t, key, jobId);
    return files;
  }

  async function claimAll(): Promise<Array<{ tenantId: string; id: string }>> {
    const queue = t.app.get(JobQueueRepository);
    const claimed = [];
    for (;;) {
      const file = await asSystem('test: worker claim', () => queue.claim(randomUUID(), settings));
      if (!file) return claimed;
      claimed.push(file);
    }
  }

  const admin = (path: string) => t.http().post(path).set('Authorization', `Bearer ${t.adminToken}`);

  it("claims none of a suspended tenant's queued files while another tenant's are claimed, and all of them after resume", async () => {
    const paused = await t.createTenant('studio', 'Paused');
    const other = await t.createTenant('studio', 'Other');
    const pausedFiles = await queueJob(paused.key, 'p', 3);
    const otherFiles = await queueJob(other.key, 'o', 2);
    const suspended = await admin(`/v1/tenants/${paused.id}/suspend`);
    assert.equal(suspended.status, 200);
    assert.equal(suspended.body.status, 'suspended');

    const queue = t.app.get(JobQueueRepository);
    assert.equal(await asSystem('test', () => queue.countClaimable(3)), 2, 'no capacity is launched for the suspended tenant');
    const whileSuspended = await claimAll();
    assert.deepEqual(whileSuspended.map((f) => f.id).sort(), [...otherFiles].sort());
    assert.ok(whileSuspended.every((f) => f.tenantId === other.id));

    assert.equal((await admin(`/v1/tenants/${paused.id}/resume`)).status, 200);
    const afterResume = await claimAll();
    assert.deepEqual(afterResume.map((f) => f.id).sort(), [...pausedFiles].sort());
  });
});
