import assert from 'node:assert/strict';
import { readdir, readFile } from 'node:fs/promises';
import os from 'node:os';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command, PutObjectCommand } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client, keys } from '#storage';
import { JobLifecycleService } from '../../apps/api/src/jobs/lifecycle/job-lifecycle.service.js';
import { fixture } from '../support/fixtures.js';
import { createJob, listAllFiles, uploadFile, waitForJob } from '../support/studio.js';
import { submitJob } from '../support/studio-bytes.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readZip } from '../support/zip.js';

const PRESET = { variants: [{ name: 'web', longEdge: 256, format: 'jpeg', quality: 80 }] };

describe('job lifecycle: drafts, retries, deletion and retention', () => {
  let t: TestApp;
  let studio: { id: string; key: string };
  let other: { id: string; key: string };
  let db: pg.Client;
  const auth = () => `Bearer ${studio.key}`;

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '1', IDLE_SHUTDOWN_SECONDS: '3', JOB_SWEEP_SECONDS: '0' }, { s3Proxy: true });
    studio = await t.createTenant('studio');
    other = await t.createTenant('studio');
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  async function objectsUnder(bucket: string, prefix: string): Promise<string[]> {
    const s3 = createS3Client(t.config.s3);
    const page = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key!);
  }

  it('gets a stuck draft moving: removes a file never uploaded (and a partial multipart upload), then submits', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Stuck', preset: PRESET });
    const kept = await uploadFile(t, studio.key, jobId, fixture('raw', 'kodak_dc50.kdc'));
    const never = await t.http().post(`/v1/jobs/${jobId}/files`).set('Authorization', auth()).send({ filename: 'lost.nef', bytes: 4096 });
    const partial = await t
      .http()
      .post(`/v1/jobs/${jobId}/files`)
      .set('Authorization', auth())
      .send({ filename: 'huge.nef', bytes: 200 * 1024 ** 2 });
    assert.equal(partial.body.upload.method, 'MULTIPART');
    const firstPart = partial.body.upload.parts[0];
    const put = await fetch(firstPart.url, { method: 'PUT', body: Buffer.alloc(partial.body.upload.partSize) });
    assert.equal(put.status, 200);
    assert.equal(t.s3Proxy!.openMultipartUploads().length, 1);

    assert.equal((await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth())).status, 409);
    // Another tenant cannot touch it.
    const foreign = await t.http().delete(`/v1/jobs/${jobId}/files/${never.body.file.id}`).set('Authorization', `Bearer ${other.key}`);
    assert.equal(foreign.status, 404);

    for (const declared of [never, partial]) {
      const removed = await t.http().delete(`/v1/jobs/${jobId}/files/${declared.body.file.id}`).set('Authorization', auth());
      assert.equal(removed.status, 204, removed.text);
    }
    assert.deepEqual(t.s3Proxy!.openMultipartUploads(), [], 'the partial upload and its parts are gone');
    assert.deepEqual(
      (await listAllFiles(t, studio.key, jobId)).map((f) => f.filename),
      ['kodak_dc50.kdc'],
    );
    const again = await t.http().delete(`/v1/jobs/${jobId}/files/${never.body.file.id}`).set('Authorization', auth());
    assert.equal(again.status, 404);

    await submitJob(t, studio.key, jobId);
    const done = await waitForJob(t, studio.key, jobId);
    assert.equal(done.status, 'completed');
    const late = await t.http().delete(`/v1/jobs/${jobId}/files/${kept}`).set('Authorization', auth());
    assert.equal(late.status, 409, 'files of a submitted job stay');
  });

  it('gives a fresh upload target for a declared file, which works', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Late upload', preset: PRESET });
    const body = await readFile(fixture('raw', 'nikon_d1.nef'));
    const declared = await t
      .http()
      .post(`/v1/jobs/${jobId}/files`)
      .set('Authorization', auth())
      .send({ filename: 'DSC_1.NEF', bytes: body.length });
    const renewed = await t.http().post(`/v1/jobs/${jobId}/files/${declared.body.file.id}/upload-target`).set('Authorization', auth());
    assert.equal(renewed.status, 200);
    assert.equal(renewed.body.upload.method, 'PUT');
    assert.ok(new Date(renewed.body.upload.expiresAt).getTime() > Date.now());
    const put = await fetch(renewed.body.upload.url, { method: 'PUT', headers: renewed.body.upload.headers, body });
    assert.equal(put.status, 200);
    const foreign = await t
      .http()
      .post(`/v1/jobs/${jobId}/files/${declared.body.file.id}/upload-target`)
      .set('Authorization', `Bearer ${other.key}`);
    assert.equal(foreign.status, 404);
    await submitJob(t, studio.key, jobId);
    const refused = await t.http().post(`/v1/jobs/${jobId}/files/${declared.body.file.id}/upload-target`).set('Authorization', auth());
    assert.equal(refused.status, 409);
    assert.match(refused.headers['content-type'], /problem\+json/);
    await waitForJob(t, studio.key, jobId);
  });

  it('renames a draft and changes its preset, and refuses once it is submitted', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Old name' });
    const patched = await t.http().patch(`/v1/jobs/${jobId}`).set('Authorization', auth()).send({ name: 'New name', preset: PRESET });
    assert.equal(patched.status, 200);
    assert.equal(patched.body.name, 'New name');
    assert.deepEqual(
      patched.body.preset.variants.map((v: { name: string }) => v.name),
      ['web'],
    );
    const invalid = await t.http().patch(`/v1/jobs/${jobId}`).set('Authorization', auth()).send({ name: '' });
    assert.equal(invalid.status, 400);
    assert.equal(invalid.body.errors[0].field, 'name');
    const foreign = await t.http().patch(`/v1/jobs/${jobId}`).set('Authorization', `Bearer ${other.key}`).send({ name: 'x' });
    assert.equal(foreign.status, 404);

    await uploadFile(t, studio.key, jobId, fixture('raw', 'kodak_dc50.kdc'));
    await submitJob(t, studio.key, jobId);
    const late = await t.http().patch(`/v1/jobs/${jobId}`).set('Authorization', auth()).send({ name: 'Too late' });
    assert.equal(late.status, 409);
    assert.match(late.body.detail, /draft/);
    await waitForJob(t, studio.key, jobId);
  });

  it('retries the failed files of a finished job from attempt one and rebuilds the ZIP', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Retry me', preset: PRESET });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'));
    const brokenId = await uploadFile(t, studio.key, jobId, fixture('raw', 'broken', 'iphone12pro_pruned.dng'), 'IMG_1.dng');
    await submitJob(t, studio.key, jobId);
    const first = await waitForJob(t, studio.key, jobId);
    assert.equal(first.status, 'completed_with_errors');

    const early = await t.http().post(`/v1/jobs/${jobId}/retry`).set('Authorization', `Bearer ${other.key}`);
    assert.equal(early.status, 404);
    // The studio replaces the damaged original (here, straight in storage) and retries.
    const s3 = createS3Client(t.config.s3);
    await s3.send(
      new PutObjectCommand({
        Bucket: t.config.s3.buckets.raw,
        Key: keys.jobRaw(studio.id, jobId, brokenId),
        Body: await readFile(fixture('raw', 'kodak_dc50.kdc')),
      }),
    );
    const retried = await t.http().post(`/v1/jobs/${jobId}/retry`).set('Authorization', auth());
    assert.equal(retried.status, 200, retried.text);
    assert.equal(retried.body.requeued, 1);
    assert.equal(retried.body.job.status, 'queued');
    assert.equal(retried.body.job.expiresAt, null);

    const second = await waitForJob(t, studio.key, jobId);
    assert.equal(second.status, 'completed');
    const file = (await listAllFiles(t, studio.key, jobId)).find((f) => f.id === brokenId)!;
    assert.equal(file.status, 'done');
    assert.equal(file.attempts, 1, 'attempts started over');
    const download = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', auth());
    const zip = await readZip(Buffer.from(await (await fetch(download.body.archive.url)).arrayBuffer()));
    assert.deepEqual([...zip.keys()].sort(), ['IMG_1_web.jpg', 'nikon_d1_web.jpg'], 'the ZIP was rebuilt with the retried file');

    const nothing = await t.http().post(`/v1/jobs/${jobId}/retry`).set('Authorization', auth());
    assert.equal(nothing.status, 409);
    assert.match(nothing.body.detail, /no failed files|completed/);
  });

  it('deletes a finished job (objects first, then rows), resumes an interrupted deletion, and refuses a running one', async () => {
    const running = await createJob(t, studio.key, { name: 'Running', preset: PRESET });
    await uploadFile(t, studio.key, running, fixture('raw', 'nikon_d1.nef'));
    await submitJob(t, studio.key, running);
    const refused = await t.http().delete(`/v1/jobs/${running}`).set('Authorization', auth());
    assert.equal(refused.status, 409);
    assert.match(refused.body.detail, /cancel it first/);
    await waitForJob(t, studio.key, running);

    const foreign = await t.http().delete(`/v1/jobs/${running}`).set('Authorization', `Bearer ${other.key}`);
    assert.equal(foreign.status, 404);
    const prefix = keys.jobFolder(studio.id, running);
    assert.ok((await objectsUnder(t.config.s3.buckets.raw, prefix)).length > 0);
    assert.ok((await objectsUnder(t.config.s3.buckets.processed, prefix)).length > 0);

    // Storage goes away mid-deletion: the job is gone from the API at once, its objects stay until
    // the sweeper finishes the job.
    t.s3Proxy!.fault = 'down';
    const interrupted = await t.http().delete(`/v1/jobs/${running}`).set('Authorization', auth());
    t.s3Proxy!.fault = 'none';
    assert.ok(interrupted.status >= 500, `${interrupted.status}`);
    assert.equal((await t.http().get(`/v1/jobs/${running}`).set('Authorization', auth())).status, 404);
    assert.ok((await objectsUnder(t.config.s3.buckets.raw, prefix)).length > 0);

    await t.app.get(JobLifecycleService).sweep();
    assert.deepEqual(await objectsUnder(t.config.s3.buckets.raw, prefix), []);
    assert.deepEqual(await objectsUnder(t.config.s3.buckets.processed, prefix), []);
    const { rows } = await db.query(
      `SELECT (SELECT count(*)::int FROM jobs WHERE id = $1) AS jobs, (SELECT count(*)::int FROM job_files WHERE job_id = $1) AS files`,
      [running],
    );
    assert.deepEqual(rows[0], { jobs: 0, files: 0 });

    const canceled = await createJob(t, studio.key, { name: 'Canceled' });
    await t.http().post(`/v1/jobs/${canceled}/cancel`).set('Authorization', auth());
    assert.equal((await t.http().delete(`/v1/jobs/${canceled}`).set('Authorization', auth())).status, 204);
    assert.equal((await t.http().get(`/v1/jobs/${canceled}`).set('Authorization', auth())).status, 404);
  });

  it('shows when a finished job expires, answers 410 after that, and the sweeper deletes its files', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Old wedding', preset: PRESET });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'));
    await submitJob(t, studio.key, jobId);
    const job = await waitForJob(t, studio.key, jobId);
    const retention = new Date(job.expiresAt).getTime() - new Date(job.finishedAt).getTime();
    assert.ok(Math.abs(retention - 30 * 86_400_000) < 5000, `30 days by default, got ${retention} ms`);

    // Time passes: the retention is over.
    await db.query(`UPDATE jobs SET finished_at = now() - interval '31 days', expires_at = now() - interval '1 day' WHERE id = $1`, [
      jobId,
    ]);
    const gone = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', auth());
    assert.equal(gone.status, 410);
    assert.match(gone.headers['content-type'], /problem\+json/);
    assert.ok(gone.body.expiresAt);

    await t.app.get(JobLifecycleService).sweep();
    const prefix = keys.jobFolder(studio.id, jobId);
    assert.deepEqual(await objectsUnder(t.config.s3.buckets.raw, prefix), []);
    assert.deepEqual(await objectsUnder(t.config.s3.buckets.processed, prefix), []);
    const still = await t.http().get(`/v1/jobs/${jobId}`).set('Authorization', auth());
    assert.equal(still.status, 200, 'the record stays');
    assert.equal((await t.http().post(`/v1/jobs/${jobId}/retry`).set('Authorization', auth())).status, 409);
  });

  it('leaves no scratch folder behind once its workers have stopped', async () => {
    let workers: Array<{ id: string; stopped: boolean }> = [];
    for (let i = 0; i < 100; i += 1) {
      workers = (await db.query(`SELECT id, stopped_at IS NOT NULL AS stopped FROM workers`)).rows;
      if (workers.length > 0 && workers.every((w) => w.stopped)) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    assert.ok(workers.length > 0 && workers.every((w) => w.stopped), 'the workers stopped after IDLE_SHUTDOWN_SECONDS');
    const left = new Set(await readdir(os.tmpdir()));
    assert.deepEqual(
      workers.filter((w) => left.has(`revela-worker-${w.id}`)).map((w) => w.id),
      [],
    );
  });
});
