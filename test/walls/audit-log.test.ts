import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import pg from 'pg';
import { DataSource } from 'typeorm';
import { asSystem, withTenant } from '#database';
import { createJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

type Event = {
  action: string;
  actor: { type: string; keyId: string | null; keyPrefix: string | null };
  target: { type: string; id: string };
} & Record<string, any>;

/**
 * The audit log: every key creation and revocation, platform-admin action and download-link issue
 * is recorded with actor, tenant, target, time and request id; a tenant reads its own (with the
 * `keys` scope), the admin reads all; the API's role can only append.
 */
describe('audit log', () => {
  let t: TestApp;
  let owner: pg.Client;
  let studio: { id: string; key: string };
  let other: { id: string; key: string };

  before(async () => {
    t = await startTestApp({ MAX_WORKERS: '0' });
    owner = new pg.Client({ connectionString: t.database.url });
    await owner.connect();
    studio = await t.createTenant('studio', 'Audited');
    other = await t.createTenant('clinic', 'Elsewhere');
  });
  after(async () => {
    await owner.end();
    await t.close();
  });

  const as = (key: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${key}`),
    post: (path: string) => t.http().post(path).set('Authorization', `Bearer ${key}`),
    delete: (path: string) => t.http().delete(path).set('Authorization', `Bearer ${key}`),
  });

  async function events(key: string, query: Record<string, string | number> = {}): Promise<Event[]> {
    const res = await as(key)
      .get('/v1/audit-events')
      .query({ limit: 100, ...query });
    assert.equal(res.status, 200, res.text);
    return res.body.items;
  }

  it('records key creation and revocation with the acting key, the target, the time and the request id', async () => {
    const me = (await as(studio.key).get('/v1/api-keys')).body.items[0];
    const created = await as(studio.key)
      .post('/v1/api-keys')
      .set('X-Request-Id', 'req-create-1')
      .send({ name: 'uploader', scopes: ['write'] });
    assert.equal(created.status, 201, created.text);
    const revoked = await as(studio.key).delete(`/v1/api-keys/${created.body.id}`).set('X-Request-Id', 'req-revoke-1');
    assert.equal(revoked.status, 200);
    assert.equal((await as(studio.key).delete(`/v1/api-keys/${created.body.id}`)).status, 200, 'revoking again changes nothing');

    const [revocation, creation] = await events(studio.key, { limit: 2 });
    assert.equal(revocation.action, 'api_key.revoked');
    assert.equal(creation.action, 'api_key.created');
    for (const [event, requestId] of [
      [creation, 'req-create-1'],
      [revocation, 'req-revoke-1'],
    ] as const) {
      assert.equal(event.tenantId, studio.id);
      assert.deepEqual(event.actor, { type: 'api_key', keyId: me.id, keyPrefix: me.prefix });
      assert.deepEqual(event.target, { type: 'api_key', id: created.body.id });
      assert.equal(event.requestId, requestId);
      assert.ok(Date.now() - Date.parse(event.createdAt) < 60_000);
    }
    assert.deepEqual(creation.details.scopes, ['write']);
    assert.equal(JSON.stringify(creation).includes(created.body.key), false, 'the secret is never recorded');
    assert.equal((await events(studio.key, { action: 'api_key.revoked' })).length, 1, 'a second revocation is no event');
  });

  it('records every platform-admin action on the tenant with the admin as actor', async () => {
    const adminCall = async (method: 'post' | 'patch', path: string, body?: object) => {
      const res = await t
        .http()
        [method](path)
        .set('Authorization', `Bearer ${t.adminToken}`)
        .set('X-Request-Id', `req-${method}-${path.split('/').pop()}`)
        .send(body ?? {});
      assert.ok(res.status < 300, res.text);
    };
    await adminCall('post', `/v1/tenants/${studio.id}/suspend`);
    await adminCall('post', `/v1/tenants/${studio.id}/resume`);
    await adminCall('post', `/v1/tenants/${studio.id}/recovery-key`);
    await adminCall('patch', `/v1/admin/tenants/${studio.id}/limits`, { concurrentJobs: 3 });

    const log = await events(studio.key);
    const byAction = new Map(log.map((e) => [e.action, e]));
    for (const action of ['tenant.created', 'tenant.suspended', 'tenant.resumed', 'tenant.recovery_key_issued', 'tenant.limits_updated']) {
      const event = byAction.get(action);
      assert.ok(event, `${action} recorded`);
      assert.deepEqual(event.actor, { type: 'admin', keyId: null, keyPrefix: null });
      assert.equal(event.tenantId, studio.id);
    }
    assert.equal(byAction.get('tenant.suspended')!.requestId, 'req-post-suspend');
    assert.deepEqual(byAction.get('tenant.limits_updated')!.details, { changes: { concurrentJobs: 3 } });
    assert.equal(byAction.get('tenant.recovery_key_issued')!.target.type, 'api_key');
  });

  it('records the issue of download links', async () => {
    const jobId = await createJob(t, studio.key, { name: 'Delivered' });
    await owner.query(`UPDATE jobs SET status = 'completed', finished_at = now() WHERE id = $1`, [jobId]);
    const res = await as(studio.key).get(`/v1/jobs/${jobId}/download`).set('X-Request-Id', 'req-download');
    assert.equal(res.status, 200, res.text);
    const [event] = await events(studio.key, { action: 'download.links_issued' });
    assert.deepEqual(event.target, { type: 'job', id: jobId });
    assert.equal(event.requestId, 'req-download');
    assert.equal(event.actor.type, 'api_key');
  });

  it("pages the tenant's own events newest first, and only to a key with the keys scope", async () => {
    const pages: Event[] = [];
    let cursor: string | undefined;
    do {
      const res = await as(studio.key)
        .get('/v1/audit-events')
        .query({ limit: 2, ...(cursor ? { cursor } : {}) });
      assert.equal(res.status, 200);
      pages.push(...res.body.items);
      cursor = res.body.nextCursor ?? undefined;
    } while (cursor);
    assert.deepEqual(pages, await events(studio.key), 'the pages add up to the whole log, no gap, no repeat');
    assert.ok(pages.length >= 8);
    const times = pages.map((e) => Date.parse(e.createdAt));
    assert.deepEqual(
      times,
      [...times].sort((a, b) => b - a),
      'newest first',
    );
    assert.ok(pages.every((e) => e.tenantId === studio.id));
    assert.deepEqual(
      (await events(other.key)).map((e) => e.action),
      ['tenant.created'],
      "another tenant sees none of this tenant's events",
    );

    const reader = await as(studio.key)
      .post('/v1/api-keys')
      .send({ name: 'reader', scopes: ['read', 'write'] });
    const refused = await as(reader.body.key).get('/v1/audit-events');
    assert.equal(refused.status, 403);
    assert.match(refused.text, /keys/);
    const bad = await as(studio.key).get('/v1/audit-events').query({ action: 'nope' });
    assert.equal(bad.status, 400);
    assert.equal(bad.body.errors[0].field, 'action');
  });

  it('serves every event to the admin, filtered by tenant, and refuses tenant keys there', async () => {
    const all = await t.http().get('/v1/admin/audit-events').query({ limit: 100 }).set('Authorization', `Bearer ${t.adminToken}`);
    assert.equal(all.status, 200);
    const tenants = new Set(all.body.items.map((e: Event) => e.tenantId));
    assert.ok(tenants.has(studio.id) && tenants.has(other.id));
    const one = await t.http().get('/v1/admin/audit-events').query({ tenantId: other.id }).set('Authorization', `Bearer ${t.adminToken}`);
    assert.deepEqual(
      one.body.items.map((e: Event) => e.action),
      ['tenant.created'],
    );
    assert.equal((await as(studio.key).get('/v1/admin/audit-events')).status, 403);
  });

  it('is append-only for the API role: UPDATE and DELETE are refused, even in the system scope', async () => {
    const db = t.app.get(DataSource);
    await assert.rejects(
      withTenant(studio.id, () => db.query(`UPDATE audit_events SET action = 'api_key.created'`)),
      /permission denied/,
    );
    await assert.rejects(
      withTenant(studio.id, () => db.query(`DELETE FROM audit_events`)),
      /permission denied/,
    );
    await assert.rejects(
      asSystem('test', () => db.query(`DELETE FROM audit_events`)),
      /permission denied/,
    );
    await assert.rejects(
      asSystem('test', () => db.query(`TRUNCATE audit_events`)),
      /permission denied/,
    );
    assert.ok((await events(studio.key)).length >= 8, 'nothing was changed');
  });

  it('records the event in the action’s own transaction: no key without its event', async () => {
    const before = (await as(studio.key).get('/v1/api-keys').query({ limit: 100 })).body.items.length;
    await owner.query(`REVOKE INSERT ON audit_events FROM revela_app`);
    try {
      const res = await as(studio.key).post('/v1/api-keys').send({ name: 'unaudited' });
      assert.equal(res.status, 500);
    } finally {
      await owner.query(`GRANT INSERT ON audit_events TO revela_app`);
    }
    const keys = (await as(studio.key).get('/v1/api-keys').query({ limit: 100 })).body.items;
    assert.equal(keys.length, before, 'the key was rolled back with its event');
  });
});
