import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import pg from 'pg';
import { IdempotencyStore } from '../../apps/api/src/common/idempotency.store.js';
import { JobsService } from '../../apps/api/src/jobs/jobs.service.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually } from '../support/webhook-receiver.js';

const PROBLEM = /^application\/problem\+json/;
const ANIMAL = { name: 'Bolinha', species: 'dog', tutor: { name: 'Maria Silva' } };

/** A gate a mocked service method waits behind, and a promise that says it was reached. */
function gate() {
  let open!: () => void;
  let reached!: () => void;
  const opened = new Promise<void>((resolve) => (open = resolve));
  const arrived = new Promise<void>((resolve) => (reached = resolve));
  return { open, opened, reached, arrived };
}

describe('Idempotency-Key on POST', () => {
  let t: TestApp;
  let clinic: { id: string; key: string };
  let studio: { id: string; key: string };
  let db: pg.Client;

  before(async () => {
    t = await startTestApp();
    clinic = await t.createTenant('clinic');
    studio = await t.createTenant('studio');
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  const post = (key: string, path: string, body: object | undefined, idempotencyKey?: string) => {
    const req = t.http().post(path).set('Authorization', `Bearer ${key}`);
    return (idempotencyKey ? req.set('Idempotency-Key', idempotencyKey) : req).send(body);
  };
  const count = async (key: string, path: string) =>
    (await t.http().get(path).query({ limit: 100 }).set('Authorization', `Bearer ${key}`)).body.items.length;

  it('replays the stored response (status and body) for the same key and body, creating one animal', async () => {
    const before = await count(clinic.key, '/v1/animals');
    const first = await post(clinic.key, '/v1/animals', ANIMAL, 'create-bolinha-1');
    assert.equal(first.status, 201, first.text);
    assert.equal(first.headers['idempotent-replayed'], undefined);
    const again = await post(clinic.key, '/v1/animals', ANIMAL, 'create-bolinha-1');
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.match(again.headers['content-type'], /^application\/json/);
    assert.deepEqual(again.body, first.body);
    assert.equal(await count(clinic.key, '/v1/animals'), before + 1, 'one animal');

    // Without a key, a retry is a new request.
    await post(clinic.key, '/v1/animals', ANIMAL).expect(201);
    await post(clinic.key, '/v1/animals', ANIMAL).expect(201);
    assert.equal(await count(clinic.key, '/v1/animals'), before + 3);
  });

  it('answers 422 when the key comes back with another body or another route', async () => {
    await post(clinic.key, '/v1/animals', ANIMAL, 'mismatch-1').expect(201);
    const other = await post(clinic.key, '/v1/animals', { ...ANIMAL, name: 'Rex' }, 'mismatch-1');
    assert.equal(other.status, 422);
    assert.match(other.headers['content-type'], PROBLEM);
    assert.equal(other.body.type, 'https://docs.revela.dev/problems/idempotency-key-reused');
    const otherRoute = await post(clinic.key, '/v1/api-keys', { name: 'ci' }, 'mismatch-1');
    assert.equal(otherRoute.status, 422);
  });

  it('scopes keys to the tenant', async () => {
    const other = await t.createTenant('clinic');
    const mine = await post(clinic.key, '/v1/animals', ANIMAL, 'shared-key');
    const theirs = await post(other.key, '/v1/animals', ANIMAL, 'shared-key');
    assert.equal(theirs.status, 201);
    assert.equal(theirs.headers['idempotent-replayed'], undefined);
    assert.notEqual(theirs.body.id, mine.body.id);
  });

  it('does not keep a failed request: the key is free for the corrected one', async () => {
    const invalid = await post(clinic.key, '/v1/animals', { name: 'No species' }, 'fix-and-retry');
    assert.equal(invalid.status, 400);
    const fixed = await post(clinic.key, '/v1/animals', { ...ANIMAL, name: 'Fixed' }, 'fix-and-retry');
    assert.equal(fixed.status, 201, fixed.text);
    assert.equal(fixed.headers['idempotent-replayed'], undefined);
  });

  it('replays routes that write their own reply (photo upload target) and admin routes (tenant creation)', async () => {
    const animal = await post(clinic.key, '/v1/animals', { ...ANIMAL, name: 'Photogenic' }).expect(201);
    const body = { contentType: 'image/jpeg', filename: 'a.jpg', bytes: 1000 };
    const first = await post(clinic.key, `/v1/animals/${animal.body.id}/photos`, body, 'photo-1');
    const again = await post(clinic.key, `/v1/animals/${animal.body.id}/photos`, body, 'photo-1');
    assert.equal(first.status, 201);
    assert.equal(again.status, 201);
    assert.equal(again.headers['idempotent-replayed'], 'true');
    assert.equal(again.body.photo.id, first.body.photo.id);

    const tenant = { name: 'Replayed Studio', kind: 'studio' };
    const admin = () =>
      t.http().post('/v1/tenants').set('Authorization', `Bearer ${t.adminToken}`).set('Idempotency-Key', 'tenant-1').send(tenant);
    const created = await admin();
    const replayed = await admin();
    assert.equal(replayed.headers['idempotent-replayed'], 'true');
    assert.equal(replayed.body.tenant.id, created.body.tenant.id);
  });

  it('answers 409 while the first request with the key is still running', async () => {
    const jobs = t.app.get(JobsService);
    const g = gate();
    const original = jobs.create.bind(jobs);
    const create = mock.method(jobs, 'create', async (...args: Parameters<JobsService['create']>) => {
      g.reached();
      await g.opened;
      return original(...args);
    });
    try {
      const first = post(studio.key, '/v1/jobs', { name: 'Concurrent' }, 'concurrent-1').then((r) => r);
      await g.arrived;
      const duplicate = await post(studio.key, '/v1/jobs', { name: 'Concurrent' }, 'concurrent-1');
      assert.equal(duplicate.status, 409);
      assert.match(duplicate.headers['content-type'], PROBLEM);
      assert.equal(duplicate.headers['retry-after'], '1');
      g.open();
      assert.equal((await first).status, 201);
      assert.equal(create.mock.callCount(), 1);
    } finally {
      create.mock.restore();
    }
  });

  it('makes a network-timeout retry of POST /v1/jobs create exactly one job', async () => {
    const tenant = await t.createTenant('studio');
    const jobs = t.app.get(JobsService);
    const g = gate();
    const original = jobs.create.bind(jobs);
    const create = mock.method(jobs, 'create', async (...args: Parameters<JobsService['create']>) => {
      g.reached();
      await g.opened;
      return original(...args);
    });
    const request = (signal?: AbortSignal) =>
      fetch(`${t.baseUrl}/v1/jobs`, {
        method: 'POST',
        headers: { authorization: `Bearer ${tenant.key}`, 'content-type': 'application/json', 'idempotency-key': 'job-after-timeout' },
        body: JSON.stringify({ name: 'Wedding Silva' }),
        signal,
      });
    try {
      // The client gives up (its timeout) while the server is still creating the job.
      const timeout = new AbortController();
      const lost = request(timeout.signal);
      await g.arrived;
      timeout.abort();
      await assert.rejects(lost, { name: 'AbortError' });
      g.open();

      // It retries with the same key until the first attempt's outcome is there.
      const retried = await eventually(async () => {
        const res = await request();
        return res.status !== 409 && res;
      }, 'the first attempt to finish');
      assert.equal(retried.status, 201);
      assert.equal(retried.headers.get('idempotent-replayed'), 'true');
      const job = (await retried.json()) as { id: string; name: string };
      assert.equal(job.name, 'Wedding Silva');
      const list = await t.http().get('/v1/jobs').set('Authorization', `Bearer ${tenant.key}`);
      assert.deepEqual(
        list.body.items.map((j: { id: string }) => j.id),
        [job.id],
        'exactly one job',
      );
      assert.equal(create.mock.callCount(), 1);
    } finally {
      create.mock.restore();
    }
  });

  it('forgets keys after they expire, and sweeps them', async () => {
    await post(clinic.key, '/v1/animals', { ...ANIMAL, name: 'Old' }, 'expiring').expect(201);
    await db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expiring'`);
    const reused = await post(clinic.key, '/v1/animals', { ...ANIMAL, name: 'New' }, 'expiring');
    assert.equal(reused.status, 201, 'an expired key is a new key, even with another body');
    assert.equal(reused.headers['idempotent-replayed'], undefined);

    await db.query(`UPDATE idempotency_keys SET expires_at = now() - interval '1 second' WHERE key = 'expiring'`);
    assert.ok((await t.app.get(IdempotencyStore).sweep()) >= 1);
    const { rows } = await db.query(`SELECT 1 FROM idempotency_keys WHERE key = 'expiring'`);
    assert.equal(rows.length, 0);
  });

  it('rejects a malformed key', async () => {
    const res = await post(clinic.key, '/v1/animals', ANIMAL, 'x'.repeat(256));
    assert.equal(res.status, 400);
    assert.equal(res.body.errors[0].field, 'Idempotency-Key');
  });
});
