import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { DeleteObjectCommand, ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client } from '#storage';
import type { LocalWorkerLauncher } from '../../apps/api/src/jobs/launcher/local-launcher.js';
import { WORKER_LAUNCHER } from '../../apps/api/src/jobs/launcher/worker-launcher.js';
import { fixture } from '../support/fixtures.js';
import { createJob, listAllFiles, uploadFile, waitForJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

const FILES = 6;

/** Secrets the API process holds that a worker must never inherit. */
const API_SECRETS = {
  AWS_ACCESS_KEY_ID: 'AKIAREVELATESTKEY000',
  AWS_SECRET_ACCESS_KEY: 'revela-test-secret-access-key',
  AWS_SESSION_TOKEN: 'revela-test-session',
};

/** Reads the running worker's environment from /proc: its id, the API URL and its token, nothing else secret. */
async function assertWorkerHoldsNoCredentials(pid: number): Promise<void> {
  const environ = await readFile(`/proc/${pid}/environ`, 'utf8');
  const env = new Map(
    environ
      .split('\0')
      .filter(Boolean)
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  assert.deepEqual([...env.keys()].filter((name) => !['PATH', 'HOME', 'TMPDIR', 'LANG'].includes(name)).sort(), [
    'IDLE_SHUTDOWN_SECONDS',
    'INTERNAL_API_URL',
    'LOG_LEVEL',
    'RAW_DECODER',
    'WORKER_CONCURRENCY',
    'WORKER_ID',
    'WORKER_TOKEN',
  ]);
  assert.match(env.get('WORKER_TOKEN')!, /^rvw_/);
  const values = [...env.values()].join('\n');
  for (const secret of [...Object.values(API_SECRETS), 'postgres://']) assert.ok(!values.includes(secret), `the worker sees ${secret}`);
}

describe('batch workers: crash recovery, idle shutdown, decoders', () => {
  let t: TestApp;
  let studio: { id: string; key: string };
  let db: pg.Client;

  before(async () => {
    Object.assign(process.env, API_SECRETS);
    t = await startTestApp({ LEASE_SECONDS: '2', IDLE_SHUTDOWN_SECONDS: '2', MAX_WORKERS: '1' });
    studio = await t.createTenant('studio');
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    for (const name of Object.keys(API_SECRETS)) delete process.env[name];
    await db.end();
    await t.close();
  });

  it('replaces a worker killed with SIGKILL; every file ends done once with one set of outputs', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Crash test' });
    for (let i = 0; i < FILES; i += 1) await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    const submitted = await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(submitted.status, 200);

    const launcher = t.app.get<LocalWorkerLauncher>(WORKER_LAUNCHER);
    let victim: { pid?: number; kill(signal: NodeJS.Signals): boolean } | undefined;
    for (let i = 0; i < 150 && !victim; i += 1) {
      const processing = (await listAllFiles(t, studio.key, jobId)).some((f) => f.status === 'processing');
      if (processing) victim = [...launcher.running().values()][0];
      else await sleep(50);
    }
    assert.ok(victim, 'a worker started processing');
    await assertWorkerHoldsNoCredentials(victim.pid!);
    victim.kill('SIGKILL');

    const job = await waitForJob(t, studio.key, jobId, 120_000);
    assert.equal(job.status, 'completed');
    const files = await listAllFiles(t, studio.key, jobId);
    assert.equal(files.length, FILES);
    for (const file of files) {
      assert.equal(file.status, 'done');
      assert.deepEqual(
        file.outputs.map((o: { variant: string }) => o.variant),
        ['web', 'thumb', 'full'],
      );
    }
    assert.ok(
      files.some((f) => f.attempts >= 2),
      'the interrupted file was attempted again',
    );

    const s3 = createS3Client(t.config.s3);
    const listed = await s3.send(
      new ListObjectsV2Command({ Bucket: t.config.s3.buckets.processed, Prefix: `tenants/${studio.id}/jobs/${jobId}/out/` }),
    );
    assert.equal(listed.KeyCount, FILES * 3, 'one set of outputs per file');

    const workers = await db.query(`SELECT stop_reason FROM workers ORDER BY started_at`);
    assert.ok(workers.rows.length >= 2, 'a replacement worker was started');
    assert.equal(workers.rows[0].stop_reason, 'killed by SIGKILL');
  });

  it('stops workers after IDLE_SHUTDOWN_SECONDS without work and records their time', async () => {
    const launcher = t.app.get<LocalWorkerLauncher>(WORKER_LAUNCHER);
    const deadline = Date.now() + 15_000;
    let alive = Infinity;
    while (Date.now() < deadline) {
      const { rows } = await db.query(`SELECT count(*)::int AS n FROM workers WHERE stopped_at IS NULL`);
      alive = rows[0].n + launcher.running().size;
      if (alive === 0) break;
      await sleep(200);
    }
    assert.equal(alive, 0, 'no worker row open and no worker process left');
    const { rows } = await db.query(`SELECT stop_reason, stopped_at > started_at AS ordered FROM workers WHERE stop_reason = 'idle'`);
    assert.ok(rows.length >= 1);
    assert.ok(rows.every((r) => r.ordered));
    // It waited out IDLE_SHUTDOWN_SECONDS (2) after its last file, rather than leaving as soon as the queue was empty.
    const { rows: gaps } = await db.query(
      `SELECT extract(epoch FROM w.stopped_at - (SELECT max(finished_at) FROM job_files)) AS idle FROM workers w WHERE stop_reason = 'idle'`,
    );
    assert.ok(
      gaps.every((g) => Number(g.idle) >= 1.9),
      `idle seconds before stopping: ${gaps.map((g) => g.idle).join(', ')}`,
    );
  });

  it('a file that keeps failing transiently fails after MAX_ATTEMPTS, and its job ends failed', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Vanishing upload' });
    const fileId = await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'));
    assert.equal((await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`)).status, 200);
    // The RAW disappears from storage before a worker can fetch it: every attempt fails the same transient way.
    const s3 = createS3Client(t.config.s3);
    await s3.send(new DeleteObjectCommand({ Bucket: t.config.s3.buckets.raw, Key: `tenants/${studio.id}/jobs/${jobId}/raw/${fileId}` }));
    const job = await waitForJob(t, studio.key, jobId, 60_000);
    assert.equal(job.status, 'failed');
    const [file] = await listAllFiles(t, studio.key, jobId);
    assert.equal(file.status, 'failed');
    assert.equal(file.attempts, 3, 'MAX_ATTEMPTS (default 3) attempts, no more');
    assert.match(file.error, /processing error: .*404/);
  });

  it('a worker asked to stop (SIGTERM) finishes the files it holds, then exits cleanly', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Stop politely' });
    for (let i = 0; i < 3; i += 1) await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'), `STOP_${i}.NEF`);
    assert.equal((await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`)).status, 200);
    const launcher = t.app.get<LocalWorkerLauncher>(WORKER_LAUNCHER);
    let held: string[] = [];
    for (let i = 0; i < 400 && held.length === 0; i += 1) {
      held = (await listAllFiles(t, studio.key, jobId)).filter((f) => f.status === 'processing').map((f) => f.id as string);
      if (held.length === 0) await sleep(25);
    }
    assert.ok(held.length > 0, 'a worker holds files');
    const [worker] = [...launcher.running().values()];
    assert.ok(worker);
    const exited = new Promise<number | null>((resolve) => worker.once('exit', (code) => resolve(code)));
    worker.kill('SIGTERM');
    assert.equal(await exited, 0, 'a clean exit');

    const job = await waitForJob(t, studio.key, jobId, 90_000);
    assert.equal(job.status, 'completed');
    const files = await listAllFiles(t, studio.key, jobId);
    for (const id of held) {
      const file = files.find((f) => f.id === id)!;
      assert.equal(file.status, 'done');
      assert.equal(file.attempts, 1, 'finished by the worker that held it, not taken over');
    }
    const { rows } = await db.query(`SELECT stop_reason FROM workers WHERE stop_reason = 'signal'`);
    assert.equal(rows.length, 1, 'the stopped worker reported why');
  });
});

describe('batch worker without the native decoder', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ RAW_DECODER: 'wasm', IDLE_SHUTDOWN_SECONDS: '2' });
  });
  after(async () => {
    await t.close();
  });

  it('develops RAW files with LibRaw compiled to WebAssembly', async () => {
    const studio = await t.createTenant('studio');
    const jobId = await createJob(t, studio.key, {
      name: 'Wasm',
      preset: { variants: [{ name: 'web', longEdge: 800, format: 'jpeg', quality: 80 }] },
    });
    await uploadFile(t, studio.key, jobId, fixture('raw', 'nikon_d1.nef'));
    await uploadFile(t, studio.key, jobId, fixture('raw', 'canon_eos_d30.crw'));
    await t.http().post(`/v1/jobs/${jobId}/submit`).set('Authorization', `Bearer ${studio.key}`);
    const job = await waitForJob(t, studio.key, jobId);
    assert.equal(job.status, 'completed');
    const files = await listAllFiles(t, studio.key, jobId);
    assert.equal(files.length, 2);
    for (const file of files) {
      assert.equal(file.source, 'libraw-wasm');
      assert.equal(Math.max(file.outputs[0].width, file.outputs[0].height), 800);
    }
  });
});
