import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { fixture } from '../support/fixtures.js';
import { createJob, uploadFile, waitForJob } from '../support/studio.js';
import { submitJob, uploadBytes } from '../support/studio-bytes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

describe('quotas: allowances set by the platform admin', () => {
  let t: TestApp;
  const admin = () => `Bearer ${t.adminToken}`;

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '0', QUOTA_FILES_PER_JOB: '500' });
  });
  after(async () => {
    await t.close();
  });

  async function setLimits(tenantId: string, limits: Record<string, number | null>): Promise<Record<string, any>> {
    const res = await t.http().patch(`/v1/admin/tenants/${tenantId}/limits`).set('Authorization', admin()).send(limits);
    assert.equal(res.status, 200, res.text);
    return res.body;
  }

  function declare(key: string, jobId: string, bytes: number, filename = 'DSC_0001.NEF') {
    return t.http().post(`/v1/jobs/${jobId}/files`).set('Authorization', `Bearer ${key}`).send({ filename, bytes });
  }

  it('shows the defaults from configuration, sets a tenant’s own limits, and restores a default with null', async () => {
    const studio = await t.createTenant('studio');
    const defaults = await t.http().get(`/v1/admin/tenants/${studio.id}/limits`).set('Authorization', admin());
    assert.equal(defaults.status, 200);
    assert.equal(defaults.body.filesPerJob, 500);
    assert.deepEqual(defaults.body.overridden, []);
    const set = await setLimits(studio.id, { filesPerJob: 3, retentionDays: 7 });
    assert.equal(set.filesPerJob, 3);
    assert.equal(set.retentionDays, 7);
    assert.deepEqual(set.overridden.sort(), ['filesPerJob', 'retentionDays']);
    const reset = await setLimits(studio.id, { filesPerJob: null });
    assert.equal(reset.filesPerJob, 500);
    assert.deepEqual(reset.overridden, ['retentionDays']);

    const asTenant = await t
      .http()
      .patch(`/v1/admin/tenants/${studio.id}/limits`)
      .set('Authorization', `Bearer ${studio.key}`)
      .send({ filesPerJob: 100_000 });
    assert.ok([401, 403].includes(asTenant.status), `${asTenant.status}`);
    const unknown = await t.http().get('/v1/admin/tenants/00000000-0000-4000-8000-000000000000/limits').set('Authorization', admin());
    assert.equal(unknown.status, 404);
    const invalid = await t.http().patch(`/v1/admin/tenants/${studio.id}/limits`).set('Authorization', admin()).send({ storageBytes: -1 });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.errors[0].field, 'storageBytes');
  });

  it('refuses a file larger than the tenant’s allowance, and binds every multipart part to its size', async () => {
    const studio = await t.createTenant('studio');
    await setLimits(studio.id, { bytesPerFile: 300 * 1024 ** 2 });
    const jobId = await createJob(t, studio.key, { name: 'Big files' });
    const tooBig = await declare(studio.key, jobId, 300 * 1024 ** 2 + 1);
    assert.equal(tooBig.status, 403);
    assert.match(tooBig.headers['content-type'], PROBLEM);
    assert.equal(tooBig.body.type, 'https://docs.revela.dev/problems/quota-bytes-per-file');
    assert.deepEqual(
      [tooBig.body.limit, tooBig.body.allowance, tooBig.body.requested],
      ['bytes-per-file', 300 * 1024 ** 2, 300 * 1024 ** 2 + 1],
    );

    const ok = await declare(studio.key, jobId, 200 * 1024 ** 2 + 5);
    assert.equal(ok.status, 201);
    const { parts, partSize } = ok.body.upload;
    assert.equal(
      parts.reduce((sum: number, p: { bytes: number }) => sum + p.bytes, 0),
      200 * 1024 ** 2 + 5,
    );
    for (const part of parts) {
      assert.ok(part.bytes <= partSize);
      assert.match(new URL(part.url).searchParams.get('X-Amz-SignedHeaders') ?? '', /content-length/, 'the part size is signed');
    }
  });

  it('refuses a file beyond the files-per-job allowance and beyond the storage allowance, naming usage and allowance', async () => {
    const studio = await t.createTenant('studio');
    await setLimits(studio.id, { filesPerJob: 2, storageBytes: 5000 });
    const jobId = await createJob(t, studio.key, { name: 'Quota' });
    assert.equal((await declare(studio.key, jobId, 3000, 'a.nef')).status, 201);
    const storage = await declare(studio.key, jobId, 2001, 'b.nef');
    assert.equal(storage.status, 403);
    assert.equal(storage.body.type, 'https://docs.revela.dev/problems/quota-storage-bytes');
    assert.deepEqual([storage.body.usage, storage.body.allowance, storage.body.requested], [3000, 5000, 2001]);
    assert.equal((await declare(studio.key, jobId, 2000, 'b.nef')).status, 201);
    const files = await declare(studio.key, jobId, 1, 'c.nef');
    assert.equal(files.status, 403);
    assert.equal(files.body.type, 'https://docs.revela.dev/problems/quota-files-per-job');
    assert.deepEqual([files.body.usage, files.body.allowance], [2, 2]);
    assert.match(files.body.detail, /at most 2/);
  });

  it('answers 429 with Retry-After beyond the concurrent jobs allowance, and 403 once the month’s processing time is used', async () => {
    const studio = await t.createTenant('studio');
    await setLimits(studio.id, { concurrentJobs: 1 });
    const first = await createJob(t, studio.key, { name: 'first' });
    await uploadBytes(t, studio.key, first, 'a.dng', Buffer.from([1]));
    await submitJob(t, studio.key, first);
    const second = await createJob(t, studio.key, { name: 'second' });
    await uploadBytes(t, studio.key, second, 'b.dng', Buffer.from([2]));
    const busy = await t.http().post(`/v1/jobs/${second}/submit`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(busy.status, 429);
    assert.ok(busy.headers['retry-after']);
    assert.equal(busy.body.type, 'https://docs.revela.dev/problems/quota-concurrent-jobs');
    assert.deepEqual([busy.body.usage, busy.body.allowance], [1, 1]);
    assert.equal((await t.http().get(`/v1/jobs/${second}`).set('Authorization', `Bearer ${studio.key}`)).body.status, 'draft');

    await setLimits(studio.id, { concurrentJobs: 5, processingSecondsPerMonth: 0 });
    const spent = await t.http().post(`/v1/jobs/${second}/submit`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(spent.status, 403);
    assert.equal(spent.body.type, 'https://docs.revela.dev/problems/quota-processing-seconds-per-month');
    assert.equal(spent.body.allowance, 0);
    await setLimits(studio.id, { processingSecondsPerMonth: null });
    assert.equal((await t.http().post(`/v1/jobs/${second}/submit`).set('Authorization', `Bearer ${studio.key}`)).status, 200);
  });
});

describe('usage: what a tenant used, next to its limits', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '1', IDLE_SHUTDOWN_SECONDS: '2' });
  });
  after(async () => {
    await t.close();
  });

  it('counts storage, files processed and worker seconds this month, per tenant', async () => {
    const studio = await t.createTenant('studio');
    const other = await t.createTenant('studio');
    const empty = await t.http().get('/v1/usage').set('Authorization', `Bearer ${studio.key}`);
    assert.equal(empty.status, 200);
    assert.equal(empty.body.storage.usedBytes, 0);
    assert.equal(empty.body.filesProcessedThisMonth, 0);

    const jobId = await createJob(t, studio.key, {
      name: 'Usage',
      preset: { variants: [{ name: 'web', longEdge: 256, format: 'jpeg', quality: 80 }] },
    });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'));
    await submitJob(t, studio.key, jobId);
    const job = await waitForJob(t, studio.key, jobId);
    assert.equal(job.status, 'completed');

    const used = await t.http().get('/v1/usage').set('Authorization', `Bearer ${studio.key}`);
    assert.equal(used.body.filesProcessedThisMonth, 1);
    assert.ok(used.body.workerSecondsThisMonth.used > 0);
    assert.equal(used.body.workerSecondsThisMonth.allowance, 360_000);
    const { size } = await import('node:fs/promises').then((fs) => fs.stat(fixture('raw', 'nikon_d1.nef')));
    assert.ok(used.body.storage.usedBytes > size, 'the RAW plus its outputs and ZIP');
    assert.equal(used.body.storage.allowanceBytes, 1024 ** 4);
    assert.equal(used.body.photosThisMonth, 0);
    assert.ok(new Date(used.body.period.start).getTime() <= Date.now());

    const theirs = await t.http().get('/v1/usage').set('Authorization', `Bearer ${other.key}`);
    assert.equal(theirs.body.storage.usedBytes, 0, 'tenants never see each other');
    assert.equal(theirs.body.filesProcessedThisMonth, 0);

    // Deleting the job frees its storage.
    assert.equal((await t.http().delete(`/v1/jobs/${jobId}`).set('Authorization', `Bearer ${studio.key}`)).status, 204);
    assert.equal((await t.http().get('/v1/usage').set('Authorization', `Bearer ${studio.key}`)).body.storage.usedBytes, 0);
  });
});
