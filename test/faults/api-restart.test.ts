/**
 * Issue 13, item 3: the API is killed with SIGKILL while a batch worker holds files and a
 * thumbnail Lambda report is on its way, then started again. The worker reconnects and finishes
 * the job with every file exactly once; the report is retried and accepted once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { loadConfig } from '#config';
import { createS3Client, type EmbeddedS3Handle, startEmbeddedS3 } from '#storage';
import { type ThumbnailWiring, wireThumbnailLambda } from '../../apps/api/src/runtime/thumbnail-wiring.js';
import { fixture } from '../support/fixtures.js';
import { freePort } from '../support/net.js';
import { type S3FaultProxy, startS3FaultProxy } from '../support/s3-fault-proxy.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type ApiProcess, killQuietly, startApiProcess } from './support/api-process.js';
import { call, declareAndUpload, must, waitFor, waitForJob } from './support/http.js';

const FILES = 3;
const PRESET = { variants: [{ name: 'web', longEdge: 800, format: 'jpeg', quality: 80 }] };
const BUCKETS = { uploads: 'revela-uploads', raw: 'revela-raw', processed: 'revela-processed' };

describe('API killed (SIGKILL) mid-job', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let s3: EmbeddedS3Handle;
  let proxy: S3FaultProxy;
  let dataDir: string;
  let env: Record<string, string>;
  let api: ApiProcess | undefined;
  let thumbnails: ThumbnailWiring | undefined;
  const lambdaLog: Array<{ level: string; message: string } & Record<string, unknown>> = [];

  before(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-api-restart-'));
    s3 = await startEmbeddedS3({ dataDir: path.join(dataDir, 's3'), port: 0, buckets: Object.values(BUCKETS) });
    proxy = await startS3FaultProxy(s3.endpoint);
    env = {
      RUNTIME: 'embedded',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      DATABASE_URL: database.url,
      S3_ENDPOINT: proxy.endpoint,
      DATA_DIR: dataDir,
      ADMIN_TOKEN: randomBytes(32).toString('base64url'),
      CALLBACK_SIGNING_KEY: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
      MAX_WORKERS: '1',
      WORKER_CONCURRENCY: '1',
      IDLE_SHUTDOWN_SECONDS: '30',
      WORKER_RECONCILE_SECONDS: '1',
      LEASE_SECONDS: '15',
    };
    // The Lambda runs here, beside the S3 server, as it runs beside S3 in AWS: it outlives the API.
    thumbnails = wireThumbnailLambda({ ...s3, endpoint: proxy.endpoint }, loadConfig(env), {
      apiUrl: `http://127.0.0.1:${env.PORT}`,
      log: (level, message, fields) => lambdaLog.push({ level, message, ...fields }),
      // AWS retries a failed asynchronous invocation after about 1 and 2 minutes; the local stand-in
      // compresses that to 1 s and 2 s, shorter than an API restart on a busy 2-core machine.
      invocation: { retries: 3, backoffMs: 2_000 },
    });
  });

  after(async () => {
    await thumbnails?.close();
    killQuietly(api?.pid);
    // The worker the killed API started lives on as an orphan: it is ours to stop.
    for (const row of (await db.query(`SELECT pid FROM workers WHERE pid IS NOT NULL`)).rows) killQuietly(row.pid);
    await db.end();
    await proxy.close();
    await s3.stop();
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  it('the worker reconnects and finishes every file once; the Lambda’s report is retried and accepted once', async (context) => {
    try {
      await scenario(context);
    } catch (error) {
      process.stderr.write(`--- API output ---\n${api?.output().slice(-6000)}\n--- Lambda ---\n${JSON.stringify(lambdaLog, null, 1)}\n`);
      throw error;
    }
  });

  async function scenario(context: { diagnostic(message: string): void }): Promise<void> {
    api = await startApiProcess(env);
    const base = api.baseUrl;
    const studio = await must(201, base, 'POST', '/v1/tenants', env.ADMIN_TOKEN, { name: 'Restart studio', kind: 'studio' });
    const clinic = await must(201, base, 'POST', '/v1/tenants', env.ADMIN_TOKEN, { name: 'Restart clinic', kind: 'clinic' });
    const studioKey = studio.apiKey.key as string;
    const clinicKey = clinic.apiKey.key as string;

    // Slow transfers keep the worker's files and the Lambda's photo in flight long enough to be cut.
    proxy.delay = (method, pathname) => {
      if (method !== 'GET') return 0;
      if (pathname.startsWith(`/${BUCKETS.raw}/`)) return 1_500;
      if (pathname.startsWith(`/${BUCKETS.uploads}/`)) return 2_500;
      return 0;
    };
    const job = await must(201, base, 'POST', '/v1/jobs', studioKey, { name: 'Across a crash', preset: PRESET });
    for (let i = 0; i < FILES; i += 1) await declareAndUpload(base, studioKey, job.id, fixture('raw', 'nikon_d1.nef'), `DSC_${i}.NEF`);
    const animal = await must(201, base, 'POST', '/v1/animals', clinicKey, { name: 'Luna', species: 'dog', tutor: { name: 'Rita Alves' } });
    const bytes = await readFile(fixture('images', 'orientation_6.jpg'));
    const declared = await must(201, base, 'POST', `/v1/animals/${animal.id}/photos`, clinicKey, {
      contentType: 'image/jpeg',
      filename: 'luna.jpg',
      bytes: bytes.length,
    });
    const photoId = declared.photo.id as string;

    await must(200, base, 'POST', `/v1/jobs/${job.id}/submit`, studioKey);
    await waitFor(
      'the worker to hold a file',
      async () => (await db.query(`SELECT 1 FROM job_files WHERE status = 'processing'`)).rowCount! > 0,
      60_000,
      50,
    );
    const put = await fetch(declared.upload.url, { method: 'PUT', headers: declared.upload.headers, body: bytes });
    assert.equal(put.status, 200);
    await waitFor(
      'the Lambda to be working on the photo',
      async () => (await db.query(`SELECT status FROM photos WHERE id = $1`, [photoId])).rows[0]?.status === 'processing',
      30_000,
      50,
    );
    assert.ok((await db.query(`SELECT 1 FROM job_files WHERE status = 'processing'`)).rowCount! > 0, 'the worker still holds a file');
    const [worker] = (await db.query(`SELECT id, pid FROM workers WHERE stopped_at IS NULL`)).rows;
    assert.ok(worker?.pid, 'the worker is running');

    // SIGKILL: no drain, no goodbye. The worker and the Lambda find nobody at the other end.
    api.child.kill('SIGKILL');
    assert.equal((await api.exited).signal, 'SIGKILL');
    const killedAt = Date.now();
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    assert.equal((await call(base, 'GET', '/health')).status, 0, 'nothing listens while the API is down');

    api = await startApiProcess(env);
    const restartedAt = Date.now();
    context.diagnostic(`API down ${restartedAt - killedAt} ms`);

    const finished = await waitForJob(api.baseUrl, studioKey, job.id, 90_000);
    assert.equal(finished.status, 'completed');
    const { rows: files } = await db.query(`SELECT status, attempts FROM job_files WHERE job_id = $1`, [job.id]);
    assert.ok(
      files.every((f) => f.status === 'done'),
      JSON.stringify(files),
    );
    const direct = createS3Client({ endpoint: s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    const outputs = await direct.send(
      new ListObjectsV2Command({ Bucket: BUCKETS.processed, Prefix: `tenants/${studio.tenant.id}/jobs/${job.id}/out/` }),
    );
    assert.equal(outputs.KeyCount, FILES, 'one set of outputs per file');
    const { rows: after } = await db.query(`SELECT id, last_heartbeat_at FROM workers WHERE id = $1`, [worker.id]);
    assert.ok(after[0].last_heartbeat_at.getTime() > restartedAt, 'the worker reconnected to the restarted API');

    const photo = await waitFor(
      'the photo to be ready',
      async () => {
        const answer = await call(api!.baseUrl, 'GET', `/v1/animals/${animal.id}/photos/${photoId}`, clinicKey);
        return answer.body?.status === 'ready' || answer.body?.status === 'failed' ? answer.body : undefined;
      },
      60_000,
      250,
    );
    assert.equal(photo.status, 'ready', JSON.stringify(photo));
    assert.equal(photo.renditions.length, 3);
    const readyReports = lambdaLog.filter((entry) => entry.message === 'photo ready' && entry.photoId === photoId);
    assert.deepEqual(
      readyReports.map((entry) => entry.changed),
      [true],
      'the ready report was accepted once',
    );
    assert.ok(!lambdaLog.some((entry) => entry.message === 'thumbnail invocation failed for good'));
    context.diagnostic(
      `RAW attempts: ${files.map((f) => f.attempts).join(', ')}; Lambda retries: ${lambdaLog.filter((e) => e.message.includes('retrying')).length}`,
    );
  }
});
