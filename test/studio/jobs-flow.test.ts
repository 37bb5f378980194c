import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import sharp from 'sharp';
import { createS3Client } from '#storage';
import type { LocalWorkerLauncher } from '../../apps/api/src/jobs/launcher/local-launcher.js';
import { WORKER_LAUNCHER } from '../../apps/api/src/jobs/launcher/worker-launcher.js';
import { INSTALLED_SOURCE } from '../../libs/imaging/src/raw/testing/installed-decoder.js';
import { fixture } from '../support/fixtures.js';
import { createJob, listAllFiles, uploadFile, waitForJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { readZip } from '../support/zip.js';

const PRESET = {
  variants: [
    { name: 'web', longEdge: 800, format: 'jpeg', quality: 82 },
    { name: 'thumb', longEdge: 200, format: 'webp', quality: 80 },
  ],
};

const GOOD = [
  'nikon_d1.nef',
  'canon_eos_d30.crw',
  'lg_g4_h815_sample_1mp.dng',
  'canon_eos_6d_lossy_reduced.dng',
  'kodak_dc50.kdc',
  'kodak_c330_headerless.raw',
];

describe('studio jobs: the whole flow with the local launcher', () => {
  let t: TestApp;
  let studio: { id: string; key: string };
  const auth = () => `Bearer ${studio.key}`;

  before(async () => {
    t = await startTestApp({ IDLE_SHUTDOWN_SECONDS: '3' });
    studio = await t.createTenant('studio', 'Studio Lumen');
  });
  after(async () => {
    await t.close();
  });

  it('develops real RAW files, fails broken ones with reasons, and serves a ZIP of the rest', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Wedding / Silva "2026"', preset: PRESET });
    const ids = new Map<string, string>();
    for (const name of GOOD) {
      // A hostile client-side path must not reach a storage key or a ZIP entry name.
      const clientName = name === 'kodak_dc50.kdc' ? '../../etc\\..\\kodak_dc50.kdc' : name;
      ids.set(name, await uploadFile(t, studio.key, jobId, fixture('raw', name), clientName));
    }
    for (const name of [
      'nikon_d70s_jpeg_with_nef_extension.nef',
      'sony_slt-a55_truncated.arw',
      'canon_eos_r6_pruned.cr3',
      'iphone12pro_pruned.dng',
    ]) {
      ids.set(name, await uploadFile(t, studio.key, jobId, fixture('raw', 'broken', name)));
    }
    ids.set('gopro_hero6_black.gpr', await uploadFile(t, studio.key, jobId, fixture('raw', 'gopro_hero6_black.gpr')));

    const early = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', auth());
    assert.equal(early.status, 409);
    assert.match(early.headers['content-type'], /problem\+json/);

    const submitted = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth());
    assert.equal(submitted.status, 200);
    assert.equal(submitted.body.status, 'queued');
    assert.ok(submitted.body.queuedAt);

    const job = await waitForJob(t, studio.key, jobId);
    assert.equal(job.status, 'completed_with_errors');
    assert.equal(job.fileCounts.done, 8);
    assert.equal(job.fileCounts.failed, 3);
    assert.equal(job.progress, 100);
    assert.ok(job.workerSeconds > 0);
    assert.ok(job.startedAt && job.finishedAt);

    const files = new Map(
      (await listAllFiles(t, studio.key, jobId)).map((f) => [f.id === ids.get('kodak_dc50.kdc') ? 'kodak_dc50.kdc' : f.filename, f]),
    );
    assert.equal(files.get('kodak_dc50.kdc')!.filename, '../../etc\\..\\kodak_dc50.kdc', 'the original name is kept as data');
    for (const name of GOOD) {
      const file = files.get(name)!;
      assert.equal(file.status, 'done', `${name}: ${file.error}`);
      assert.equal(file.source, INSTALLED_SOURCE, name);
      assert.deepEqual(
        file.outputs.map((o: { variant: string }) => o.variant),
        ['web', 'thumb'],
      );
      assert.ok(Math.max(file.outputs[0].width, file.outputs[0].height) <= 800);
    }
    assert.equal(files.get('nikon_d70s_jpeg_with_nef_extension.nef')!.source, 'developed-image', 'a JPEG renamed .nef is sniffed as JPEG');
    assert.equal(files.get('sony_slt-a55_truncated.arw')!.source, 'embedded-preview', 'a blank decode falls back to the preview');
    for (const name of ['canon_eos_r6_pruned.cr3', 'iphone12pro_pruned.dng', 'gopro_hero6_black.gpr']) {
      const file = files.get(name)!;
      assert.equal(file.status, 'failed', name);
      assert.match(file.error, /truncated|corrupt|not supported|unsupported/i, name);
      assert.doesNotMatch(file.error, /\n\s+at /, 'no stack traces');
    }

    const download = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', auth());
    assert.equal(download.status, 200);
    assert.equal(download.body.archive.filename, 'Wedding _ Silva _2026_.zip');
    const expires = new Date(download.body.expiresAt).getTime() - Date.now();
    assert.ok(expires > 0 && expires <= 15 * 60 * 1000);

    const zipResponse = await fetch(download.body.archive.url);
    assert.equal(zipResponse.status, 200);
    assert.match(zipResponse.headers.get('content-disposition') ?? '', /^attachment; filename="/);
    const entries = await readZip(Buffer.from(await zipResponse.arrayBuffer()));
    assert.equal(entries.size, 16, [...entries.keys()].join(', '));
    for (const entry of entries.keys()) assert.doesNotMatch(entry, /[\\/]|\.\./, 'flat, safe entry names');
    for (const name of GOOD) {
      const base = name.replace(/\.[^.]*$/, '');
      const web = await sharp(entries.get(`${base}_web.jpg`)).metadata();
      const thumb = await sharp(entries.get(`${base}_thumb.webp`)).metadata();
      assert.equal(web.format, 'jpeg');
      assert.equal(thumb.format, 'webp');
      const record = files.get(name)!.outputs;
      assert.deepEqual([web.width, web.height], [record[0].width, record[0].height]);
      assert.ok(Math.max(thumb.width, thumb.height) <= 200);
    }

    const perFile = download.body.files.find((f: { id: string }) => f.id === ids.get('nikon_d1.nef'));
    const variant = await fetch(perFile.variants[0].url);
    assert.equal(variant.status, 200);
    assert.match(variant.headers.get('content-disposition') ?? '', /filename="nikon_d1_web.jpg"/);
  });

  it('refuses to submit until every declared upload is there with its declared size', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Incomplete' });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'kodak_dc50.kdc'));
    const missing = await t
      .http()
      .post(`/v1/jobs/${jobId}/files`)
      .set('Authorization', auth())
      .send({ filename: 'DSC_0001.NEF', bytes: 1234 });
    const wrongSize = await t
      .http()
      .post(`/v1/jobs/${jobId}/files`)
      .set('Authorization', auth())
      .send({ filename: 'short.nef', bytes: 5000 });
    assert.equal(missing.status, 201);
    // S3 refuses a body that differs from the signed length; s3rver stores it, which lets this test
    // put a wrong-sized object where submit must find it.
    const put = await fetch(wrongSize.body.upload.url, {
      method: 'PUT',
      headers: { ...wrongSize.body.upload.headers, 'Content-Length': '10' },
      body: Buffer.alloc(10),
    });
    assert.equal(put.status, 200);

    const res = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth());
    assert.equal(res.status, 409);
    const named = res.body.files.map((f: { filename: string }) => f.filename).sort();
    assert.deepEqual(named, ['DSC_0001.NEF', 'short.nef']);
    assert.match(res.body.detail, /DSC_0001\.NEF/);
    const still = await t.http().get(`/v1/jobs/${jobId}`).set('Authorization', auth());
    assert.equal(still.body.status, 'draft');
  });

  it('streams a file through the API and rejects a body larger than declared', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Through the API', preset: PRESET });
    const { readFile, stat } = await import('node:fs/promises');
    const path = fixture('raw', 'canon_eos_6d_lossy_reduced.dng');
    const { size } = await stat(path);
    const declared = await t
      .http()
      .post(`/v1/jobs/${jobId}/files`)
      .set('Authorization', auth())
      .send({ filename: 'IMG_2533.dng', bytes: size });
    const body = await readFile(path);
    const tooBig = await t
      .http()
      .put(`/v1/jobs/${jobId}/files/${declared.body.file.id}/content`)
      .set('Authorization', auth())
      .set('Content-Type', 'application/octet-stream')
      .send(Buffer.concat([body, Buffer.alloc(10)]));
    assert.equal(tooBig.status, 413);
    const ok = await t
      .http()
      .put(`/v1/jobs/${jobId}/files/${declared.body.file.id}/content`)
      .set('Authorization', auth())
      .set('Content-Type', 'application/octet-stream')
      .send(body);
    assert.equal(ok.status, 200, ok.text);
    const submitted = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth());
    assert.equal(submitted.status, 200, submitted.text);
    const job = await waitForJob(t, studio.key, jobId);
    assert.equal(job.status, 'completed');
  });

  it('offers multipart targets above 100 MB', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Big' });
    const bytes = 150 * 1024 * 1024;
    const res = await t.http().post(`/v1/jobs/${jobId}/files`).set('Authorization', auth()).send({ filename: 'pano.dng', bytes });
    assert.equal(res.status, 201);
    assert.equal(res.body.upload.method, 'MULTIPART');
    const { partSize, parts, completeUrl } = res.body.upload;
    assert.equal(parts.length, Math.ceil(bytes / partSize));
    assert.deepEqual(
      parts.map((p: { partNumber: number }) => p.partNumber),
      parts.map((_: unknown, i: number) => i + 1),
    );
    assert.match(parts[0].url, /uploadId=/);
    assert.equal(completeUrl, `/v1/jobs/${jobId}/files/${res.body.file.id}/complete`);

    const part = await fetch(parts[0].url, { method: 'PUT', body: Buffer.alloc(1024) });
    assert.equal(part.status, 200, 'a part URL accepts a part');
  });

  it('cancels a draft once, and lists jobs by status with cursors', async () => {
    const jobId = await createJob(t, studio.key, { name: 'To cancel' });
    const first = await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', auth());
    assert.equal(first.status, 200);
    assert.equal(first.body.status, 'canceled');
    const again = await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', auth());
    assert.equal(again.status, 409);
    const late = await t.http().post(`/v1/jobs/${jobId}/files`).set('Authorization', auth()).send({ filename: 'a.nef', bytes: 10 });
    assert.equal(late.status, 409);

    const canceled = await t.http().get('/v1/jobs').query({ status: 'canceled' }).set('Authorization', auth());
    assert.ok(canceled.body.items.some((j: { id: string }) => j.id === jobId));
    assert.ok(
      canceled.body.items.every((j: { status: string }) => j.status === 'canceled'),
      'the filter returns only canceled jobs',
    );
    const page = await t.http().get('/v1/jobs').query({ limit: 1 }).set('Authorization', auth());
    assert.equal(page.body.items.length, 1);
    assert.ok(page.body.nextCursor);
    const next = await t.http().get('/v1/jobs').query({ limit: 1, cursor: page.body.nextCursor }).set('Authorization', auth());
    assert.notEqual(next.body.items[0].id, page.body.items[0].id);
  });

  it('cancels a running job: the rest of its files are canceled and nothing is downloadable', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Changed my mind' });
    for (let i = 0; i < 6; i += 1) await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', auth()).expect(200);
    // Cancel while a worker holds a file, so its late result has to be thrown away.
    let held: string | undefined;
    for (let i = 0; i < 400 && !held; i += 1) {
      held = (await listAllFiles(t, studio.key, jobId)).find((f) => f.status === 'processing')?.id;
      if (!held) await sleep(25);
    }
    assert.ok(held, 'a worker held a file when the job was canceled');
    const canceled = await t.http().post(`/v1/jobs/${jobId}/cancel`).set('Authorization', auth());
    assert.equal(canceled.status, 200);
    assert.equal(canceled.body.status, 'canceled');
    assert.ok(canceled.body.finishedAt);

    // Every worker has gone idle and stopped: nothing can still be uploading when S3 is checked.
    const launcher = t.app.get<LocalWorkerLauncher>(WORKER_LAUNCHER);
    for (let i = 0; i < 300 && launcher.running().size > 0; i += 1) await sleep(100);
    assert.equal(launcher.running().size, 0, 'the workers stopped');
    const files = await listAllFiles(t, studio.key, jobId);
    assert.equal(files.length, 6);
    assert.ok(
      files.every((f) => f.status === 'canceled' || f.status === 'done'),
      files.map((f) => f.status).join(','),
    );
    assert.equal(files.find((f) => f.id === held)?.status, 'canceled', 'the file held at cancel time stays canceled');
    assert.ok(files.filter((f) => f.status === 'canceled').length >= 4);
    const job = await t.http().get(`/v1/jobs/${jobId}`).set('Authorization', auth());
    assert.equal(job.body.status, 'canceled', 'a worker finishing late does not revive the job');
    const download = await t.http().get(`/v1/jobs/${jobId}/download`).set('Authorization', auth());
    assert.equal(download.status, 409);

    const s3 = createS3Client(t.config.s3);
    for (const file of files) {
      const listed = await s3.send(
        new ListObjectsV2Command({ Bucket: t.config.s3.buckets.processed, Prefix: `tenants/${studio.id}/jobs/${jobId}/out/${file.id}/` }),
      );
      assert.equal(
        listed.KeyCount ?? 0,
        file.status === 'done' ? file.outputs.length : 0,
        `${file.status} file ${file.filename} keeps only its own outputs`,
      );
    }
  });

  it('keeps tenants apart: 404 for another studio, 403 for a clinic', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Private' });
    const other = await t.createTenant('studio');
    for (const path of [`/v1/jobs/${jobId}`, `/v1/jobs/${jobId}/files`, `/v1/jobs/${jobId}/download`]) {
      const res = await t.http().get(path).set('Authorization', `Bearer ${other.key}`);
      assert.equal(res.status, 404, path);
    }
    const submit = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${other.key}`);
    assert.equal(submit.status, 404);
    const listed = await t.http().get('/v1/jobs').set('Authorization', `Bearer ${other.key}`);
    assert.equal(listed.body.items.length, 0);

    const clinic = await t.createTenant('clinic');
    const forbidden = await t.http().get('/v1/jobs').set('Authorization', `Bearer ${clinic.key}`);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.body.detail, /studio/);
  });
});
