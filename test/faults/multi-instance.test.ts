/**
 * Issue 10, item 5: two API processes share one database, one S3 server and one Redis; between
 * them they may run three workers. Every file is developed exactly once, the fair order holds
 * across instances, a tenant's rate limit is one budget whichever instance it calls, and there are
 * never more than MAX_WORKERS workers at once.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { type EmbeddedS3Handle, startEmbeddedS3 } from '#storage';
import { buildSyntheticDng } from '../../libs/imaging/src/raw/testing/synthetic-dng.js';
import { freePort } from '../support/net.js';
import { type RedisServer, startRedisServer } from '../support/redis-server.js';
import { createTestDatabase, type TestDatabase } from '../support/test-database.js';
import { type ApiProcess, killQuietly, startApiProcess } from './support/api-process.js';
import { call, must } from './support/http.js';

const BUCKETS = { uploads: 'revela-uploads', raw: 'revela-raw', processed: 'revela-processed' };
const PRESET = { variants: [{ name: 'web', longEdge: 64, format: 'jpeg', quality: 80 }] };
const MAX_WORKERS = 3;
const RATE_LIMIT = 600;

describe('two API instances, one database, three workers', () => {
  let database: TestDatabase;
  let db: pg.Client;
  let s3: EmbeddedS3Handle;
  let redis: RedisServer;
  let dataDir: string;
  let adminToken: string;
  const apis: ApiProcess[] = [];

  before(async () => {
    database = await createTestDatabase();
    db = new pg.Client({ connectionString: database.url });
    await db.connect();
    dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-multi-'));
    s3 = await startEmbeddedS3({ dataDir: path.join(dataDir, 's3'), port: 0, buckets: Object.values(BUCKETS) });
    redis = await startRedisServer();
    adminToken = randomBytes(32).toString('base64url');
    const shared = {
      RUNTIME: 'embedded',
      HOST: '127.0.0.1',
      DATABASE_URL: database.url,
      S3_ENDPOINT: s3.endpoint,
      REDIS_URL: redis.url,
      ADMIN_TOKEN: adminToken,
      CALLBACK_SIGNING_KEY: randomBytes(32).toString('base64url'),
      LOG_LEVEL: 'warn',
      MAX_WORKERS: String(MAX_WORKERS),
      WORKER_CONCURRENCY: '1',
      IDLE_SHUTDOWN_SECONDS: '5',
      WORKER_RECONCILE_SECONDS: '1',
      RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT),
    };
    for (let i = 0; i < 2; i += 1) {
      apis.push(await startApiProcess({ ...shared, PORT: String(await freePort()), DATA_DIR: path.join(dataDir, `api-${i}`) }));
    }
  });
  after(async () => {
    for (const api of apis) {
      api.child.kill('SIGTERM');
      await Promise.race([api.exited, sleep(40_000)]);
      killQuietly(api.pid);
    }
    const { rows } = await db.query(`SELECT pid FROM workers WHERE stopped_at IS NULL AND pid IS NOT NULL`);
    for (const row of rows) killQuietly(row.pid);
    await db.end();
    await redis.stop();
    await s3.stop().catch(() => undefined);
    await database.drop();
    await rm(dataDir, { recursive: true, force: true });
  });

  async function tenant(via: ApiProcess, name: string): Promise<{ id: string; key: string }> {
    const created = await must(201, via.baseUrl, 'POST', '/v1/tenants', adminToken, { name, kind: 'studio' });
    return { id: created.tenant.id, key: created.apiKey.key };
  }

  async function queue(via: ApiProcess, key: string, name: string, files: number, seed: number): Promise<string> {
    const job = await must(201, via.baseUrl, 'POST', '/v1/jobs', key, { name, preset: PRESET });
    for (let i = 0; i < files; i += 1) {
      const body = buildSyntheticDng({ width: 96, height: 64, seed: seed + i });
      const declared = await must(201, via.baseUrl, 'POST', `/v1/jobs/${job.id}/files`, key, {
        filename: `${name}_${i}.dng`,
        bytes: body.length,
      });
      const put = await fetch(declared.upload.url, { method: 'PUT', headers: declared.upload.headers, body });
      assert.equal(put.status, 200);
    }
    return job.id as string;
  }

  it('develops every file exactly once, in fair order, with never more than MAX_WORKERS workers', async () => {
    const [one, two] = apis as [ApiProcess, ApiProcess];
    const a = await tenant(one, 'Studio A');
    const b = await tenant(two, 'Studio B');
    const big = await queue(one, a.key, 'A', 60, 0);
    const small = await queue(two, b.key, 'B', 4, 1000);
    await must(200, one.baseUrl, 'POST', `/v1/jobs/${big}/submit`, a.key);
    await sleep(500);
    await must(200, two.baseUrl, 'POST', `/v1/jobs/${small}/submit`, b.key);

    let peak = 0;
    const deadline = Date.now() + 240_000;
    for (;;) {
      const { rows } = await db.query(
        `SELECT (SELECT count(*)::int FROM workers WHERE stopped_at IS NULL) AS alive,
                (SELECT count(*)::int FROM jobs WHERE id = ANY($1::uuid[]) AND status IN ('completed', 'completed_with_errors', 'failed')) AS finished`,
        [[big, small]],
      );
      peak = Math.max(peak, rows[0].alive);
      if (rows[0].finished === 2) break;
      assert.ok(Date.now() < deadline, 'both jobs finish');
      await sleep(100);
    }

    const files = (
      await db.query(
        `SELECT j.name, f.status, f.attempts, f.finished_at FROM job_files f JOIN jobs j ON j.id = f.job_id ORDER BY f.finished_at, f.id`,
      )
    ).rows;
    assert.equal(files.length, 64);
    assert.deepEqual(
      files.filter((f) => f.status !== 'done' || f.attempts !== 1).map((f) => `${f.name}:${f.status}:${f.attempts}`),
      [],
      'every file done, claimed once',
    );
    const order = files.map((f) => (f.name === 'A' ? 'A' : 'B')).join('');
    const lastB = order.lastIndexOf('B');
    const aBeforeB = order
      .slice(0, lastB)
      .split('')
      .filter((c) => c === 'A').length;
    process.stdout.write(`# order of completion across two instances: ${order}\n`);
    assert.ok(aBeforeB < 15, `B's 4 files finished before A's 15th (A had ${aBeforeB} done): ${order}`);

    // Worker rows are the record of every worker either instance launched: at no instant more than MAX_WORKERS.
    const { rows: overlap } = await db.query(
      `SELECT max(n)::int AS most FROM (
         SELECT (SELECT count(*) FROM workers o WHERE o.started_at <= w.started_at AND (o.stopped_at IS NULL OR o.stopped_at > w.started_at)) AS n
           FROM workers w) c`,
    );
    assert.ok(overlap[0].most <= MAX_WORKERS, `at most ${MAX_WORKERS} workers at once, saw ${overlap[0].most}`);
    assert.ok(peak <= MAX_WORKERS, `sampled at most ${MAX_WORKERS} alive, saw ${peak}`);
  });

  it('counts a tenant’s requests in one budget, whichever instance answers them', async () => {
    const [one, two] = apis as [ApiProcess, ApiProcess];
    const c = await tenant(one, 'Studio C');
    const statuses: number[] = [];
    // 400 requests to each instance: within one minute, 800 > the 600 allowed.
    for (let i = 0; i < 40; i += 1) {
      const batch = await Promise.all(
        Array.from({ length: 20 }, (_, j) => call((j % 2 === 0 ? one : two).baseUrl, 'GET', '/v1/tenant', c.key).then((r) => r.status)),
      );
      statuses.push(...batch);
    }
    const ok = statuses.filter((s) => s === 200).length;
    const limited = statuses.filter((s) => s === 429).length;
    assert.equal(ok + limited, 800);
    assert.ok(ok <= RATE_LIMIT, `at most ${RATE_LIMIT} answered across both instances, got ${ok}`);
    assert.ok(limited >= 800 - RATE_LIMIT, `${limited} refused`);
  });
});
