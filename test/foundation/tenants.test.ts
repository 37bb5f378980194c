import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

describe('tenants and API keys', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  describe('POST /v1/tenants', () => {
    it('creates a tenant with the admin token and shows its key once', async () => {
      const res = await t
        .http()
        .post('/v1/tenants')
        .set('Authorization', `Bearer ${t.adminToken}`)
        .send({ name: 'Happy Paws', kind: 'clinic' });
      assert.equal(res.status, 201);
      assert.equal(res.body.tenant.name, 'Happy Paws');
      assert.equal(res.body.tenant.kind, 'clinic');
      assert.match(res.body.apiKey.key, /^rvl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      assert.ok(res.body.apiKey.key.startsWith(res.body.apiKey.prefix));

      const me = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${res.body.apiKey.key}`);
      assert.equal(me.status, 200);
      assert.deepEqual(me.body, res.body.tenant);

      const listed = await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${res.body.apiKey.key}`);
      assert.equal(listed.status, 200);
      assert.equal(listed.body.items.length, 1);
      assert.equal(listed.body.items[0].key, undefined, 'the secret is never listed');
      assert.ok(!JSON.stringify(listed.body).includes(res.body.apiKey.key));
    });

    it('answers malformed JSON with 400 and oversized bodies with 413, without internals', async () => {
      const malformed = await t
        .http()
        .post('/v1/tenants')
        .set('Authorization', `Bearer ${t.adminToken}`)
        .set('Content-Type', 'application/json')
        .send('{"name": ');
      assert.equal(malformed.status, 400);
      assert.match(malformed.headers['content-type'], PROBLEM);
      assert.equal(malformed.body.status, 400);

      const huge = await t
        .http()
        .post('/v1/tenants')
        .set('Authorization', `Bearer ${t.adminToken}`)
        .set('Content-Type', 'application/json')
        .send(JSON.stringify({ name: 'x'.repeat(2_000_000), kind: 'clinic' }));
      assert.equal(huge.status, 413);
      assert.match(huge.headers['content-type'], PROBLEM);
      for (const res of [malformed, huge]) assert.doesNotMatch(res.text, /at \w+ \(|node_modules|SELECT /);
    });
  });

  describe('authentication', () => {
    it('answers 401 for missing, malformed, unknown and revoked keys', async () => {
      const tenant = await t.createTenant('clinic');
      const created = await t.http().post('/v1/api-keys').set('Authorization', `Bearer ${tenant.key}`).send({ name: 'temp' });
      assert.equal(created.status, 201);
      const revoke = await t.http().delete(`/v1/api-keys/${created.body.id}`).set('Authorization', `Bearer ${tenant.key}`);
      assert.equal(revoke.status, 200);
      assert.ok(revoke.body.revokedAt);

      const unknown = 'rvl_0000000000000000_' + 'A'.repeat(43);
      const forged = tenant.key.slice(0, -2) + (tenant.key.endsWith('AA') ? 'BB' : 'AA');
      const cases: Array<[string, string | undefined]> = [
        ['missing', undefined],
        ['basic scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
        ['malformed', 'Bearer not-a-key'],
        ['unknown', `Bearer ${unknown}`],
        ['right prefix, wrong secret', `Bearer ${forged}`],
        ['revoked', `Bearer ${created.body.key}`],
      ];
      for (const [label, header] of cases) {
        const req = t.http().get('/v1/tenant');
        const res = await (header ? req.set('Authorization', header) : req);
        assert.equal(res.status, 401, label);
        assert.match(res.headers['content-type'], PROBLEM, label);
      }
      const stillValid = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${tenant.key}`);
      assert.equal(stillValid.status, 200);
    });
  });

  describe('/v1/api-keys', () => {
    it('creates, lists with cursor pagination and revokes keys', async () => {
      const tenant = await t.createTenant('studio');
      const auth = `Bearer ${tenant.key}`;
      const names = ['a', 'b', 'c', 'd'];
      for (const name of names) {
        const res = await t.http().post('/v1/api-keys').set('Authorization', auth).send({ name });
        assert.equal(res.status, 201);
        assert.match(res.body.key, /^rvl_/);
        const works = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${res.body.key}`);
        assert.equal(works.body.id, tenant.id);
      }
      const seen: string[] = [];
      let cursor: string | null = null;
      do {
        const res: { status: number; body: { items: Array<{ name: string }>; nextCursor: string | null } } = await t
          .http()
          .get('/v1/api-keys')
          .query(cursor ? { limit: 2, cursor } : { limit: 2 })
          .set('Authorization', auth);
        assert.equal(res.status, 200);
        assert.ok(res.body.items.length <= 2);
        seen.push(...res.body.items.map((k: { name: string }) => k.name));
        cursor = res.body.nextCursor;
      } while (cursor);
      assert.deepEqual(seen, ['initial', ...names]);

      const bad = await t.http().get('/v1/api-keys').query({ limit: 0, cursor: 'garbage' }).set('Authorization', auth);
      assert.equal(bad.status, 400);
      assert.deepEqual(
        bad.body.errors.map((e: { field: string }) => e.field),
        ['limit'],
      );
      const badCursor = await t.http().get('/v1/api-keys').query({ cursor: 'garbage' }).set('Authorization', auth);
      assert.equal(badCursor.status, 400);
      assert.equal(badCursor.body.errors[0].field, 'cursor');
    });

    it('keeps tenants apart: a foreign key id answers 404 and stays usable', async () => {
      const a = await t.createTenant('clinic');
      const b = await t.createTenant('clinic');
      const aKeys = await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${a.key}`);
      const aKeyId = aKeys.body.items[0].id as string;

      const bKeys = await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${b.key}`);
      assert.ok(!bKeys.body.items.some((k: { id: string }) => k.id === aKeyId));

      const foreign = await t.http().delete(`/v1/api-keys/${aKeyId}`).set('Authorization', `Bearer ${b.key}`);
      const missing = await t.http().delete('/v1/api-keys/9b2f3c1e-8d4a-4b6e-9f10-2a3b4c5d6e7f').set('Authorization', `Bearer ${b.key}`);
      assert.equal(foreign.status, 404);
      assert.equal(missing.status, 404);
      assert.deepEqual({ ...foreign.body, instance: undefined }, { ...missing.body, instance: undefined });

      const stillWorks = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${a.key}`);
      assert.equal(stillWorks.body.id, a.id);
    });
  });

  describe('the rest of the contract', () => {
    it('answers unknown routes with a problem+json 404', async () => {
      const res = await t.http().get('/v1/nothing-here');
      assert.equal(res.status, 404);
      assert.match(res.headers['content-type'], PROBLEM);
      assert.equal(res.body.status, 404);
    });

    it('echoes a request id on every response', async () => {
      const res = await t.http().get('/health').set('X-Request-Id', 'trace-42');
      assert.equal(res.headers['x-request-id'], 'trace-42');
      const minted = await t.http().get('/health');
      assert.match(minted.headers['x-request-id'], /^[0-9a-f-]{36}$/);
    });

    it('publishes the OpenAPI document with both bearer schemes', async () => {
      const res = await t.http().get('/docs-json');
      assert.equal(res.status, 200);
      assert.ok(res.body.paths['/v1/tenants'].post);
      assert.ok(res.body.paths['/v1/api-keys/{id}'].delete);
      assert.deepEqual(Object.keys(res.body.components.securitySchemes).sort(), ['admin', 'apiKey']);
      const ui = await t.http().get('/docs');
      assert.equal(ui.status, 200);
      assert.match(ui.text, /swagger/i);
    });
  });
});
