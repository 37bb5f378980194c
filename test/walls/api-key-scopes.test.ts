import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

describe('scoped, expiring API keys', () => {
  let t: TestApp;
  let db: pg.Client;
  let studio: { id: string; key: string };

  before(async () => {
    t = await startTestApp();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
    studio = await t.createTenant('studio');
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  const createKey = (key: string, body: Record<string, unknown>) =>
    t.http().post('/v1/api-keys').set('Authorization', `Bearer ${key}`).send(body);

  it("gives the tenant's first key every scope", async () => {
    const keys = await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${studio.key}`);
    assert.equal(keys.status, 200);
    assert.deepEqual(keys.body.items[0].scopes, ['read', 'write', 'keys']);
    assert.equal(keys.body.items[0].expiresAt, null);
  });

  it('a read-only key reads but cannot create a job: 403 problem+json naming the missing scope', async () => {
    const created = await createKey(studio.key, { name: 'dashboard', scopes: ['read'] });
    assert.equal(created.status, 201, created.text);
    assert.deepEqual(created.body.scopes, ['read']);
    const readOnly = created.body.key as string;

    const list = await t.http().get('/v1/jobs').set('Authorization', `Bearer ${readOnly}`);
    assert.equal(list.status, 200);

    const job = await t.http().post('/v1/jobs').set('Authorization', `Bearer ${readOnly}`).send({ name: 'Wedding' });
    assert.equal(job.status, 403);
    assert.match(job.headers['content-type'], PROBLEM);
    assert.equal(job.body.type, 'https://docs.revela.dev/problems/insufficient-scope');
    assert.equal(job.body.requiredScope, 'write');
    assert.match(job.body.detail, /`write`/);

    const jobs = await t.http().get('/v1/jobs').set('Authorization', `Bearer ${studio.key}`);
    assert.equal(jobs.body.items.length, 0, 'nothing was created');
  });

  it('only key-management keys create, list or revoke keys, so a stolen read-write key cannot mint a replacement', async () => {
    const created = await createKey(studio.key, { name: 'uploader' });
    assert.equal(created.status, 201);
    assert.deepEqual(created.body.scopes, ['read', 'write'], 'new keys do not manage keys unless asked');
    const readWrite = created.body.key as string;

    const job = await t.http().post('/v1/jobs').set('Authorization', `Bearer ${readWrite}`).send({ name: 'Portraits' });
    assert.equal(job.status, 201);

    const mint = await createKey(readWrite, { name: 'replacement', scopes: ['read', 'write', 'keys'] });
    assert.equal(mint.status, 403);
    assert.equal(mint.body.requiredScope, 'keys');
    const list = await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${readWrite}`);
    assert.equal(list.status, 403);
    const revoke = await t.http().delete(`/v1/api-keys/${created.body.id}`).set('Authorization', `Bearer ${readWrite}`);
    assert.equal(revoke.status, 403);

    const manager = await createKey(studio.key, { name: 'ops', scopes: ['keys'] });
    assert.equal(manager.status, 201);
    const revoked = await t.http().delete(`/v1/api-keys/${created.body.id}`).set('Authorization', `Bearer ${manager.body.key}`);
    assert.equal(revoked.status, 200);
    assert.equal((await t.http().get('/v1/jobs').set('Authorization', `Bearer ${readWrite}`)).status, 401);
  });

  it('a key stops working when it expires', async () => {
    const created = await createKey(studio.key, { name: 'temporary', expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    assert.equal(created.status, 201);
    assert.ok(created.body.expiresAt);
    const key = created.body.key as string;
    assert.equal((await t.http().get('/v1/tenant').set('Authorization', `Bearer ${key}`)).status, 200);

    await db.query(`UPDATE api_keys SET expires_at = now() - interval '1 second' WHERE id = $1`, [created.body.id]);
    const expired = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${key}`);
    assert.equal(expired.status, 401);
    assert.match(expired.headers['content-type'], PROBLEM);
  });

  it('rejects unknown scopes, an empty list and a past expiry, naming the field', async () => {
    for (const [body, field] of [
      [{ name: 'x', scopes: ['admin'] }, 'scopes'],
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'x', expiresAt: '2020-01-01T00:00:00Z' }, 'expiresAt'],
      [{ name: 'x', expiresAt: 'tomorrow' }, 'expiresAt'],
    ] as const) {
      const res = await createKey(studio.key, body);
      assert.equal(res.status, 400, JSON.stringify(body));
      assert.match(res.headers['content-type'], PROBLEM);
      assert.ok(
        res.body.errors.some((e: { field: string }) => e.field.startsWith(field)),
        JSON.stringify(res.body.errors),
      );
    }
  });
});
