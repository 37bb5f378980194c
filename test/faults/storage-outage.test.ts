/**
 * Issue 13, item 2: S3 answers 503 SlowDown, then is unreachable, during photo processing and a
 * RAW job. Calls of the API that need S3 answer 503 problem+json meanwhile; the thumbnail Lambda
 * and the worker's transfers retry with backoff; photos and files end ready/done after a short
 * outage, or failed with a reason after a long one. Nothing stays processing.
 */
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client } from '#storage';
import { fixture } from '../support/fixtures.js';
import type { S3FaultProxy } from '../support/s3-fault-proxy.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { type Answer, call, declareAndUpload, isRetryableProblem, must, waitFor, waitForJob } from './support/http.js';

const FILES = 3;
const PRESET = { variants: [{ name: 'web', longEdge: 800, format: 'jpeg', quality: 80 }] };
const PHOTO_TIMEOUT_SECONDS = 10;

describe('storage outage', () => {
  let t: TestApp;
  let proxy: S3FaultProxy;

  before(async () => {
    t = await startTestApp(
      {
        MAX_WORKERS: '1',
        WORKER_CONCURRENCY: '1',
        WORKER_RECONCILE_SECONDS: '1',
        PHOTO_PROCESSING_TIMEOUT_SECONDS: String(PHOTO_TIMEOUT_SECONDS),
      },
      { s3Proxy: true, thumbnails: true },
    );
    proxy = t.s3Proxy!;
  });

  after(async () => {
    await t.close();
  });

  it('answers 503 for what needs S3, retries in the background, and leaves nothing processing', async (context) => {
    const base = t.baseUrl;
    const clinic = await t.createTenant('clinic');
    const studio = await t.createTenant('studio');
    const animal = await must(201, base, 'POST', '/v1/animals', clinic.key, { name: 'Mel', species: 'cat', tutor: { name: 'João Reis' } });
    const photoBytes = await readFile(fixture('images', 'orientation_6.jpg'));
    const storageDown = (answer: Answer) =>
      isRetryableProblem(answer) && answer.body.type === 'https://docs.revela.dev/problems/storage-unavailable';

    /** A photo whose original lands in S3 directly (its upload finished just before the outage). */
    const photoLanding = async (name: string) => {
      const declared = await must(201, base, 'POST', `/v1/animals/${animal.id}/photos`, clinic.key, {
        contentType: 'image/jpeg',
        filename: name,
        bytes: photoBytes.length,
      });
      const put = await fetch(declared.upload.url.replace(proxy.endpoint, t.s3.endpoint), {
        method: 'PUT',
        headers: declared.upload.headers,
        body: photoBytes,
      });
      assert.equal(put.status, 200);
      return declared.photo.id as string;
    };
    const photoStatus = async (photoId: string) => (await call(base, 'GET', `/v1/animals/${animal.id}/photos/${photoId}`, clinic.key)).body;

    // A RAW job whose worker is mid-transfer when S3 starts failing.
    const job = await must(201, base, 'POST', '/v1/jobs', studio.key, { name: 'Through SlowDown', preset: PRESET });
    for (let i = 0; i < FILES; i += 1) await declareAndUpload(base, studio.key, job.id, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    const draft = await must(201, base, 'POST', '/v1/jobs', studio.key, { name: 'Declared during the outage' });
    const small = await must(201, base, 'POST', `/v1/jobs/${draft.id}/files`, studio.key, { filename: 'a.dng', bytes: 1024 });
    proxy.delay = (method, pathname) => (method === 'GET' && pathname.startsWith(`/${t.config.s3.buckets.raw}/`) ? 1_000 : 0);
    await must(200, base, 'POST', `/v1/jobs/${job.id}/submit`, studio.key);
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    try {
      await waitFor(
        'the worker to hold a file',
        async () => (await db.query(`SELECT 1 FROM job_files WHERE status = 'processing'`)).rowCount! > 0,
        60_000,
        50,
      );
    } finally {
      await db.end();
    }

    // Outage 1: S3 answers 503 SlowDown until the thumbnail Lambda has met it too.
    proxy.fault = 'slowdown';
    const duringSlowdown = {
      multipartDeclare: await call(base, 'POST', `/v1/jobs/${draft.id}/files`, studio.key, {
        filename: 'big.dng',
        bytes: 200 * 1024 * 1024,
      }),
      submit: await call(base, 'POST', `/v1/jobs/${draft.id}/submit`, studio.key),
      streamedUpload: await t
        .http()
        .put(`/v1/jobs/${draft.id}/files/${small.file.id}/content`)
        .set('Authorization', `Bearer ${studio.key}`)
        .set('content-type', 'application/octet-stream')
        .send(Buffer.alloc(1024, 7)),
      photoThroughApi: await t
        .http()
        .post(`/v1/animals/${animal.id}/photos`)
        .set('Authorization', `Bearer ${clinic.key}`)
        .attach('file', photoBytes, { filename: 'x.jpg', contentType: 'image/jpeg' }),
      readiness: await call(base, 'GET', '/health/ready'),
      presignOnly: await call(base, 'POST', `/v1/animals/${animal.id}/photos`, clinic.key, {
        contentType: 'image/jpeg',
        filename: 'later.jpg',
        bytes: photoBytes.length,
      }),
    };
    assert.ok(storageDown(duringSlowdown.multipartDeclare), duringSlowdown.multipartDeclare.text);
    assert.ok(storageDown(duringSlowdown.submit), duringSlowdown.submit.text);
    for (const res of [duringSlowdown.streamedUpload, duringSlowdown.photoThroughApi]) {
      assert.equal(res.status, 503, res.text);
      assert.match(res.headers['content-type'], /^application\/problem\+json/);
      assert.ok(Number(res.headers['retry-after']) > 0);
      assert.equal(res.body.type, 'https://docs.revela.dev/problems/storage-unavailable');
    }
    assert.ok(isRetryableProblem(duringSlowdown.readiness), duringSlowdown.readiness.text);
    // A presigned PUT needs no call to S3: it is issued, and works once S3 is back (the client retries it).
    assert.equal(duringSlowdown.presignOnly.status, 201, duringSlowdown.presignOnly.text);
    // A photo lands while S3 still refuses: the Lambda's read meets SlowDown; the outage ends then,
    // so what follows shows its retries carrying the photo through (however slow this machine is).
    const refusedBefore = proxy.faulted.slowdown;
    const recovered = await photoLanding('during-slowdown.jpg');
    await waitFor('the Lambda to meet the SlowDown', async () => (proxy.faulted.slowdown > refusedBefore ? true : undefined), 30_000, 5);
    proxy.fault = 'none';
    const slowdowns = proxy.faulted.slowdown;

    // After it: the photo and the RAW job finish as if nothing happened, the postponed PUT works.
    const later = duringSlowdown.presignOnly.body;
    assert.equal((await fetch(later.upload.url, { method: 'PUT', headers: later.upload.headers, body: photoBytes })).status, 200);
    for (const photoId of [recovered, later.photo.id as string]) {
      const done = await waitFor(
        `photo ${photoId} to finish`,
        async () => ((await photoStatus(photoId))?.status === 'ready' ? true : undefined),
        60_000,
        250,
      );
      assert.ok(done);
    }
    const finished = await waitForJob(base, studio.key, job.id, 90_000);
    assert.equal(finished.status, 'completed');
    const s3 = createS3Client({ endpoint: t.s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    const outputs = await s3.send(
      new ListObjectsV2Command({ Bucket: t.config.s3.buckets.processed, Prefix: `tenants/${studio.id}/jobs/${job.id}/out/` }),
    );
    assert.equal(outputs.KeyCount, FILES, 'one set of outputs per file');

    // Outage 2: S3 unreachable for longer than the Lambda's retries.
    proxy.fault = 'down';
    const abandoned = await photoLanding('during-outage.jpg');
    const downSubmit = await call(base, 'POST', `/v1/jobs/${draft.id}/submit`, studio.key);
    assert.ok(storageDown(downSubmit), downSubmit.text);
    const failed = await waitFor(
      'the abandoned photo to be failed',
      async () => {
        const photo = await photoStatus(abandoned);
        return photo?.status === 'failed' ? photo : undefined;
      },
      (PHOTO_TIMEOUT_SECONDS + 30) * 1000,
      250,
    );
    proxy.fault = 'none';
    assert.match(failed.failureReason, /processing did not finish within 10 s; upload the photo again/);

    const listed = await call(base, 'GET', `/v1/animals/${animal.id}/photos?limit=100`, clinic.key);
    assert.deepEqual(
      listed.body.items.filter((p: { status: string }) => p.status === 'processing' || p.status === 'pending_upload'),
      [],
      'no photo is left processing',
    );
    assert.ok(slowdowns > 0 && proxy.faulted.down > 0, 'the faults reached the clients');
    context.diagnostic(`SlowDown answers: ${slowdowns}; connections cut: ${proxy.faulted.down}`);
  });
});
