import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;

describe('platform administration: recovery keys and admin token rotation', () => {
  let t: TestApp;
  const nextToken = randomBytes(32).toString('base64url');

  before(async () => {
    // Two admin tokens at once: the current one (t.adminToken) and the one being rotated in.
    t = await startTestApp({ ADMIN_TOKEN: `${randomBytes(32).toString('base64url')},${nextToken}` });
  });
  after(async () => {
    await t.close();
  });

  it('accepts every configured admin token, so tokens rotate without downtime', async () => {
    for (const token of [t.adminToken, nextToken]) {
      const res = await t.http().post('/v1/tenants').set('Authorization', `Bearer ${token}`).send({ name: 'Rotating', kind: 'clinic' });
      assert.equal(res.status, 201, res.text);
    }
    const wrong = await t
      .http()
      .post('/v1/tenants')
      .set('Authorization', `Bearer ${randomBytes(32).toString('base64url')}`)
      .send({ name: 'X', kind: 'clinic' });
    assert.equal(wrong.status, 401);
  });

  it('lets a tenant that revoked all its keys back in with a recovery key that has every scope', async () => {
    const tenant = await t.createTenant('studio');
    const keys = await t.http().get('/v1/api-keys').set('Authorization', `Bearer ${tenant.key}`);
    const revoked = await t.http().delete(`/v1/api-keys/${keys.body.items[0].id}`).set('Authorization', `Bearer ${tenant.key}`);
    assert.equal(revoked.status, 200);
    assert.equal((await t.http().get('/v1/tenant').set('Authorization', `Bearer ${tenant.key}`)).status, 401, 'locked out');

    const recovery = await t.http().post(`/v1/tenants/${tenant.id}/recovery-key`).set('Authorization', `Bearer ${nextToken}`);
    assert.equal(recovery.status, 201, recovery.text);
    assert.deepEqual(recovery.body.scopes, ['read', 'write', 'keys']);
    const key = recovery.body.key as string;
    const me = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${key}`);
    assert.equal(me.status, 200);
    assert.equal(me.body.id, tenant.id);
    assert.equal((await t.http().post('/v1/api-keys').set('Authorization', `Bearer ${key}`).send({ name: 'new' })).status, 201);
  });

  it('lists and shows tenants with their usage counts, across tenants, to the admin only', async () => {
    const clinic = await t.createTenant('clinic', 'Counted Clinic');
    for (const name of ['Rex', 'Mia']) {
      const res = await t
        .http()
        .post('/v1/animals')
        .set('Authorization', `Bearer ${clinic.key}`)
        .send({ name, species: 'dog', tutor: { name: 'Ana' } });
      assert.equal(res.status, 201);
    }
    const one = await t.http().get(`/v1/tenants/${clinic.id}`).set('Authorization', `Bearer ${t.adminToken}`);
    assert.equal(one.status, 200, one.text);
    assert.equal(one.body.name, 'Counted Clinic');
    assert.deepEqual(one.body.usage, { activeApiKeys: 1, animals: 2, photos: 0, jobs: 0, jobFiles: 0 });

    const seen: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await t
        .http()
        .get('/v1/tenants')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) })
        .set('Authorization', `Bearer ${t.adminToken}`);
      assert.equal(page.status, 200);
      seen.push(...page.body.items.map((x: { id: string }) => x.id));
      cursor = page.body.nextCursor ?? undefined;
    } while (cursor);
    assert.ok(seen.includes(clinic.id));
    assert.ok(seen.length >= 3, 'every tenant, not one');
    assert.equal(new Set(seen).size, seen.length);

    assert.equal((await t.http().get('/v1/tenants').set('Authorization', `Bearer ${clinic.key}`)).status, 403);
    assert.equal((await t.http().get(`/v1/tenants/${randomUUID()}`).set('Authorization', `Bearer ${t.adminToken}`)).status, 404);
  });

  it('answers 403 tenant-suspended to a suspended tenant while another is unaffected, until it is resumed', async () => {
    const suspended = await t.createTenant('clinic');
    const other = await t.createTenant('clinic');
    const admin = `Bearer ${t.adminToken}`;
    const res = await t.http().post(`/v1/tenants/${suspended.id}/suspend`).set('Authorization', admin);
    assert.equal(res.status, 200, res.text);

    const refused = await t.http().get('/v1/animals').set('Authorization', `Bearer ${suspended.key}`);
    assert.equal(refused.status, 403);
    assert.match(refused.headers['content-type'], PROBLEM);
    assert.equal(refused.body.type, 'https://docs.revela.dev/problems/tenant-suspended');
    assert.equal(
      (await t.http().get('/v1/animals').set('Authorization', `Bearer ${other.key}`)).status,
      200,
      'another tenant is unaffected',
    );

    assert.equal((await t.http().post(`/v1/tenants/${suspended.id}/resume`).set('Authorization', admin)).status, 200);
    assert.equal((await t.http().get('/v1/animals').set('Authorization', `Bearer ${suspended.key}`)).status, 200);
    assert.equal((await t.http().post(`/v1/tenants/${randomUUID()}/suspend`).set('Authorization', admin)).status, 404);
  });

  it('answers 404 for an unknown tenant and 403 to a tenant key', async () => {
    const missing = await t.http().post(`/v1/tenants/${randomUUID()}/recovery-key`).set('Authorization', `Bearer ${t.adminToken}`);
    assert.equal(missing.status, 404);
    assert.match(missing.headers['content-type'], PROBLEM);
    const tenant = await t.createTenant('clinic');
    const self = await t.http().post(`/v1/tenants/${tenant.id}/recovery-key`).set('Authorization', `Bearer ${tenant.key}`);
    assert.equal(self.status, 403, 'a tenant cannot mint its own recovery key');
  });
});
