/**
 * Issue 13, item 1: PostgreSQL restarts under traffic. While it is down every request answers 503
 * problem+json with Retry-After (never a 500 or a stack) and readiness fails; once it is back the
 * same API process serves again. Every request answered 2xx is in the database, nothing is
 * half-written, the photos uploaded meanwhile end ready, and the RAW job the worker held ends with
 * every file done exactly once.
 */
import assert from 'node:assert/strict';
import { chmod, mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { type EmbeddedPostgresHandle, runMigrations, startEmbeddedPostgres } from '#database';
import { createS3Client } from '#storage';
import { fixture } from '../support/fixtures.js';
import { freePort } from '../support/net.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { call, declareAndUpload, isRetryableProblem, must, waitFor, waitForJob } from './support/http.js';
import { Traffic } from './support/traffic.js';

const FILES = 3;
const PRESET = { variants: [{ name: 'web', longEdge: 800, format: 'jpeg', quality: 80 }] };

describe('database restart under traffic', () => {
  let dir: string;
  let port: number;
  let postgres: EmbeddedPostgresHandle | undefined;
  let t: TestApp;

  const startPostgres = async () => {
    postgres = await startEmbeddedPostgres({ dataDir: path.join(dir, 'data'), port, database: 'revela' });
    return postgres;
  };

  before(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'revela-pg-restart-'));
    await chmod(dir, 0o755); // PostgreSQL runs as its own user when we are root
    port = await freePort();
    const { url } = await startPostgres();
    await runMigrations(url);
    t = await startTestApp(
      { MAX_WORKERS: '1', WORKER_RECONCILE_SECONDS: '1', LEASE_SECONDS: '30' },
      { database: { url, drop: async () => undefined }, thumbnails: true },
    );
  });

  after(async () => {
    await t?.close();
    await postgres?.stop();
    await rm(dir, { recursive: true, force: true });
  });

  it('answers 503 while PostgreSQL is down, recovers by itself, and loses nothing', async (context) => {
    const base = t.baseUrl;
    const clinic = await t.createTenant('clinic');
    const studio = await t.createTenant('studio');
    const animal = await must(201, base, 'POST', '/v1/animals', clinic.key, {
      name: 'Photo model',
      species: 'cat',
      tutor: { name: 'Ana Costa' },
    });

    // A RAW job in progress: the worker holds leases when the database goes away.
    const job = await must(201, base, 'POST', '/v1/jobs', studio.key, { name: 'During the restart', preset: PRESET });
    for (let i = 0; i < FILES; i += 1) await declareAndUpload(base, studio.key, job.id, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    await must(200, base, 'POST', `/v1/jobs/${job.id}/submit`, studio.key);
    const admin = new pg.Client({ connectionString: t.database.url });
    await admin.connect();
    await waitFor(
      'the worker to hold a file',
      async () => (await admin.query(`SELECT 1 FROM job_files WHERE status = 'processing'`)).rowCount! > 0,
      60_000,
    );
    await admin.end();

    const traffic = new Traffic({
      baseUrl: base,
      adminToken: t.adminToken,
      clinicKey: clinic.key,
      studioKey: studio.key,
      animalId: animal.id,
      photo: await readFile(fixture('images', 'orientation_6.jpg')),
      maxPhotos: 6,
    });
    traffic.start(4);
    await new Promise((resolve) => setTimeout(resolve, 1_500));

    // Two photos whose thumbnail reports are due while PostgreSQL is down.
    const photo = await readFile(fixture('images', 'orientation_3.jpg'));
    for (let i = 0; i < 2; i += 1) {
      const declared = await must(201, base, 'POST', `/v1/animals/${animal.id}/photos`, clinic.key, {
        contentType: 'image/jpeg',
        filename: `last-${i}.jpg`,
        bytes: photo.length,
      });
      const put = await fetch(declared.upload.url, { method: 'PUT', headers: declared.upload.headers, body: photo });
      assert.equal(put.status, 200);
      traffic.created.photos.push({ id: declared.photo.id, animalId: animal.id });
    }

    // PostgreSQL stops (fast shutdown: sessions terminated, transactions rolled back).
    const downAt = Date.now();
    await postgres!.stop();
    const readiness = await waitFor(
      'readiness to fail',
      async () => {
        const ready = await call(base, 'GET', '/health/ready');
        return ready.status === 503 ? ready : undefined;
      },
      10_000,
    );
    assert.ok(isRetryableProblem(readiness), readiness.text);
    await waitFor('clients to see 503s', async () => traffic.count((o) => o.at > downAt && o.status === 503) >= 10, 15_000);
    const duringOutage = await call(base, 'GET', '/v1/animals', clinic.key);
    assert.ok(isRetryableProblem(duringOutage), `${duringOutage.status} ${duringOutage.text}`);
    assert.equal(duringOutage.body.type, 'https://docs.revela.dev/problems/database-unavailable');

    // Back up, on the same port: the API recovers without a restart.
    await startPostgres();
    const upAt = Date.now();
    await waitFor('readiness to recover', async () => (await call(base, 'GET', '/health/ready')).status === 200, 30_000);
    const recoveredMs = Date.now() - upAt;
    await waitFor('clients to succeed again', async () => traffic.count((o) => o.at > upAt + recoveredMs && o.status < 300) >= 20, 30_000);
    await traffic.stop();

    const byStatus = new Map<string, number>();
    for (const o of traffic.outcomes) byStatus.set(`${o.status}`, (byStatus.get(`${o.status}`) ?? 0) + 1);
    context.diagnostic(
      `answers: ${JSON.stringify(Object.fromEntries(byStatus))}; down ${upAt - downAt} ms; readiness back ${recoveredMs} ms after PostgreSQL`,
    );
    assert.deepEqual(traffic.unexpected(), [], 'every answer was a success or a retryable 503 problem');
    assert.ok(traffic.count((o) => o.status === 503) > 0);

    // Every request answered 2xx is in the database, whole.
    const db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    try {
      const { created } = traffic;
      const animals = await db.query(`SELECT id, name FROM animals WHERE id = ANY($1::uuid[])`, [[...created.animals.keys()]]);
      assert.deepEqual(new Map(animals.rows.map((r) => [r.id, r.name])), created.animals);
      const jobs = await db.query(`SELECT id, name FROM jobs WHERE id = ANY($1::uuid[])`, [[...created.jobs.keys()]]);
      assert.deepEqual(new Map(jobs.rows.map((r) => [r.id, r.name])), created.jobs);
      const files = await db.query(`SELECT id, job_id FROM job_files WHERE id = ANY($1::uuid[])`, [created.files.map((f) => f.id)]);
      assert.equal(files.rowCount, created.files.length);
      const tenants = await db.query(
        `SELECT t.id, count(k.id)::int AS keys FROM tenants t LEFT JOIN api_keys k ON k.tenant_id = t.id WHERE t.id = ANY($1::uuid[]) GROUP BY t.id`,
        [created.tenants],
      );
      assert.equal(tenants.rowCount, created.tenants.length);
      // Not half-written: no tenant anywhere without its key, no job whose submit moved only part of it.
      assert.equal(
        (await db.query(`SELECT 1 FROM tenants t WHERE NOT EXISTS (SELECT 1 FROM api_keys k WHERE k.tenant_id = t.id)`)).rowCount,
        0,
      );
      assert.equal(
        (await db.query(`SELECT 1 FROM jobs j JOIN job_files f ON f.job_id = j.id WHERE (j.status = 'draft') <> (f.status = 'declared')`))
          .rowCount,
        0,
      );

      // The photos uploaded around the outage: the Lambda's reports got through once it was over.
      for (const photo of created.photos) {
        const ready = await waitFor(
          `photo ${photo.id} to be ready`,
          async () => {
            const answer = await call(base, 'GET', `/v1/animals/${photo.animalId}/photos/${photo.id}`, clinic.key);
            return ['ready', 'failed'].includes(answer.body?.status) ? answer.body : undefined;
          },
          60_000,
          250,
        );
        assert.equal(ready.status, 'ready', JSON.stringify(ready));
      }

      // The RAW job: leases kept or lost cleanly, every file done exactly once.
      // A deadline, not a measurement (a busy machine develops slowly).
      const finished = await waitForJob(base, studio.key, job.id, 180_000);
      assert.equal(finished.status, 'completed');
      const { rows } = await db.query(`SELECT status, attempts FROM job_files WHERE job_id = $1`, [job.id]);
      assert.ok(
        rows.every((r) => r.status === 'done'),
        JSON.stringify(rows),
      );
      const s3 = createS3Client(t.config.s3);
      const outputs = await s3.send(
        new ListObjectsV2Command({ Bucket: t.config.s3.buckets.processed, Prefix: `tenants/${studio.id}/jobs/${job.id}/out/` }),
      );
      assert.equal(outputs.KeyCount, FILES, 'one set of outputs per file');
      context.diagnostic(`RAW files: attempts ${rows.map((r) => r.attempts).join(', ')}; photos ready: ${created.photos.length}`);
    } finally {
      await db.end();
    }
  });
});
