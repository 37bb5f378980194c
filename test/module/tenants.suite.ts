/**
 * Module tier: tenants and API keys over HTTP: the admin-only route, bearer authentication, body
 * and query validation, id params. TenantsService and ApiKeysService are real (they hold no rule
 * that needs a database); their repositories are fakes. Revocation, listing and tenant isolation
 * over real rows stay in test/foundation/tenants.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { type ApiKeyEntity, encodeCursor } from '#database';
import { ApiKeysController } from '../../apps/api/src/tenants/api-keys.controller.js';
import { ApiKeysRepository } from '../../apps/api/src/tenants/api-keys.repository.js';
import { TenantsController } from '../../apps/api/src/tenants/tenants.controller.js';
import { TenantsRepository } from '../../apps/api/src/tenants/tenants.repository.js';
import { TenantsService } from '../../apps/api/src/tenants/tenants.service.js';
import { assertProblem, type Fake, type ModuleTier, startModuleTier } from '../support/module-tier.js';

const ID = '9b2f3c1e-8d4a-4b6e-9f10-2a3b4c5d6e7f';
const AT = new Date('2026-01-01T00:00:00.000Z');

function keyEntity(tenantId: string, name: string, prefix = 'rvl_0123456789abcdef'): ApiKeyEntity {
  return { id: ID, tenantId, name, prefix, secretHash: Buffer.alloc(32), createdAt: AT, lastUsedAt: null, revokedAt: null } as ApiKeyEntity;
}

describe('module tier: tenants and API keys', () => {
  let tier: ModuleTier;
  let tenants: Fake<TenantsRepository>;
  let keys: Fake<ApiKeysRepository>;
  let admin: string;

  before(async () => {
    tier = await startModuleTier({ controllers: [TenantsController, ApiKeysController], providers: [TenantsService] });
    admin = `Bearer ${tier.adminToken}`;
    tenants = tier.fake(TenantsRepository);
    tenants.on('createWithKey', async (input, key, keyName) => ({
      tenant: { id: ID, ...input, createdAt: AT },
      apiKey: keyEntity(ID, keyName, key.prefix),
    }));
    keys = tier.fake(ApiKeysRepository);
    keys
      .on('create', async (ctx, name, key) => keyEntity(ctx.tenantId, name, key.prefix))
      .on('list', async () => [])
      .on('findOne', async () => null);
  });
  after(async () => {
    await tier.close();
  });
  beforeEach(() => tier.resetCalls());

  const createTenant = (body: unknown, authorization?: string) => tier.request({ method: 'POST', url: '/v1/tenants', authorization, body });

  describe('POST /v1/tenants (platform admin only)', () => {
    it('creates a tenant with the admin token', async () => {
      const res = await createTenant({ name: 'Happy Paws', kind: 'clinic' }, admin);
      assert.equal(res.status, 201, res.text);
      assert.deepEqual(res.body.tenant, { id: ID, name: 'Happy Paws', kind: 'clinic', createdAt: AT.toISOString() });
      assert.match(res.body.apiKey.key, /^rvl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
      const [[input, , keyName]] = tenants.callsTo('createWithKey');
      assert.deepEqual({ ...input }, { name: 'Happy Paws', kind: 'clinic' });
      assert.equal(keyName, 'initial');
    });

    it('answers 401 problem+json without the admin token', async () => {
      for (const [label, authorization] of [
        ['missing', undefined],
        ['wrong token', 'Bearer not-the-admin-token'],
        ['basic scheme', `Basic ${Buffer.from(`admin:${tier.adminToken}`).toString('base64')}`],
        ['token without scheme', tier.adminToken],
        ['empty bearer', 'Bearer '],
        ['revoked tenant key', tier.keys.issue('clinic', { revoked: true }).authorization],
      ] as const) {
        const res = await createTenant({ name: 'x', kind: 'clinic' }, authorization);
        assert.equal(res.status, 401, label);
        assertProblem(res, 401, { slug: 'unauthorized' });
        assert.match(String(res.headers['www-authenticate']), /^Bearer realm="revela"/);
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 403 problem+json to a tenant key, whatever its kind', async () => {
      for (const kind of ['studio', 'clinic'] as const) {
        const res = await createTenant({ name: 'x', kind: 'clinic' }, tier.keys.issue(kind).authorization);
        assertProblem(res, 403, { slug: 'forbidden' });
        assert.match(res.body.detail, /admin token/);
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('authenticates before it validates: a bad body without a token is a 401', async () => {
      assertProblem(await createTenant({ name: '', kind: 'zoo' }), 401);
    });

    it('rejects invalid bodies naming each field', async () => {
      const res = await createTenant({ name: '', kind: 'zoo', plan: 'gold' }, admin);
      assertProblem(res, 400, { slug: 'validation-error', fields: ['kind', 'name', 'plan'] });
      assert.equal(res.body.title, 'Request validation failed');
      assert.equal(res.body.instance, '/v1/tenants');
      for (const [body, fields] of [
        [{}, ['kind', 'name']],
        [{ name: 'x'.repeat(201), kind: 'clinic' }, ['name']],
        [{ name: 'Happy\u0000Paws', kind: 'clinic' }, ['name']],
        [{ name: 'Happy\nPaws', kind: 'clinic' }, ['name']],
        [{ name: 42, kind: 'clinic' }, ['name']],
        [{ name: 'Happy Paws', kind: 'Clinic' }, ['kind']],
      ] as const) {
        assertProblem(await createTenant(body, admin), 400, { fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('GET /v1/tenant (bearer authentication)', () => {
    it("answers the key's tenant", async () => {
      const { authorization, tenant } = tier.keys.issue('studio', { name: 'Studio Lumen' });
      const res = await tier.request({ method: 'GET', url: '/v1/tenant', authorization });
      assert.equal(res.status, 200, res.text);
      assert.deepEqual(res.body, { id: tenant.tenantId, name: 'Studio Lumen', kind: 'studio', createdAt: tenant.createdAt.toISOString() });
    });

    it('answers 401 problem+json for missing, malformed, unknown, forged and revoked keys', async () => {
      const issued = tier.keys.issue('clinic');
      for (const [label, authorization] of [
        ['missing', undefined],
        ['basic scheme', `Basic ${Buffer.from('a:b').toString('base64')}`],
        ['malformed', 'Bearer not-a-key'],
        ['two tokens', `Bearer ${issued.key} ${issued.key}`],
        ['unknown', `Bearer rvl_0000000000000000_${'A'.repeat(43)}`],
        ['right prefix, wrong secret', `Bearer ${issued.key.slice(0, -2)}${issued.key.endsWith('AA') ? 'BB' : 'AA'}`],
        ['a longer secret', `Bearer ${issued.key}A`],
        ['revoked', tier.keys.issue('clinic', { revoked: true }).authorization],
        ['the admin token', admin],
      ] as const) {
        const res = await tier.request({ method: 'GET', url: '/v1/tenant', authorization });
        assert.equal(res.status, 401, label);
        assertProblem(res, 401, { slug: 'unauthorized' });
        assert.match(String(res.headers['www-authenticate']), /^Bearer/, label);
      }
      const scheme = await tier.request({ method: 'GET', url: '/v1/tenant', authorization: `bearer   ${issued.key}` });
      assert.equal(scheme.status, 200, 'the scheme is case-insensitive');
    });
  });

  describe('/v1/api-keys', () => {
    it('hands a valid key name to the service and shows the key once', async () => {
      const { authorization, tenant } = tier.keys.issue('clinic');
      const res = await tier.request({ method: 'POST', url: '/v1/api-keys', authorization, body: { name: 'ci-uploader' } });
      assert.equal(res.status, 201, res.text);
      assert.match(res.body.key, /^rvl_/);
      const [[ctx, name]] = keys.callsTo('create');
      assert.equal(ctx.tenantId, tenant.tenantId);
      assert.equal(name, 'ci-uploader');
    });

    it('rejects invalid key names naming the field', async () => {
      const { authorization } = tier.keys.issue('studio');
      for (const [body, fields] of [
        [{}, ['name']],
        [{ name: '' }, ['name']],
        [{ name: 'x'.repeat(101) }, ['name']],
        [{ name: 'tab\there' }, ['name']],
        [{ name: 'ok', scopes: ['admin'] }, ['scopes']],
      ] as const) {
        const res = await tier.request({ method: 'POST', url: '/v1/api-keys', authorization, body });
        assertProblem(res, 400, { slug: 'validation-error', fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('pages with limit 1-100 and an opaque cursor; anything else is a 400 naming the field', async () => {
      const { authorization } = tier.keys.issue('studio');
      const after = { createdAt: AT, id: ID };
      const ok = await tier.request({
        method: 'GET',
        url: '/v1/api-keys',
        authorization,
        query: { limit: 100, cursor: encodeCursor(after) },
      });
      assert.equal(ok.status, 200, ok.text);
      assert.deepEqual(ok.body, { items: [], nextCursor: null });
      assert.deepEqual(keys.callsTo('list')[0].slice(1), [101, after], 'one extra row tells whether there is a next page');
      tier.resetCalls();
      for (const [query, fields] of [
        [{ limit: 0 }, ['limit']],
        [{ limit: 101 }, ['limit']],
        [{ limit: -1 }, ['limit']],
        [{ limit: 'all' }, ['limit']],
        [{ limit: 0, cursor: 'garbage' }, ['limit']],
        [{ cursor: 'garbage' }, ['cursor']],
        [{ cursor: encodeCursor(after).slice(0, -4) }, ['cursor']],
        [{ offset: 10 }, ['offset']],
      ] as const) {
        const res = await tier.request({ method: 'GET', url: '/v1/api-keys', authorization, query });
        assertProblem(res, 400, { fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers a malformed key id with 400 naming the parameter, and passes a valid one lowercased', async () => {
      const { authorization } = tier.keys.issue('clinic');
      for (const id of ['not-a-uuid', '1234', `${ID}0`, 'g'.repeat(8) + ID.slice(8)]) {
        const res = await tier.request({ method: 'DELETE', url: `/v1/api-keys/${id}`, authorization });
        assertProblem(res, 400, { fields: ['id'] });
      }
      assert.deepEqual(tier.calls(), []);
      const missing = await tier.request({ method: 'DELETE', url: `/v1/api-keys/${ID.toUpperCase()}`, authorization });
      assertProblem(missing, 404, { slug: 'not-found' });
      assert.equal(keys.callsTo('findOne')[0][1], ID);
    });

    it('needs a tenant key: no key is a 401, the admin token too', async () => {
      for (const authorization of [undefined, admin]) {
        for (const [method, url] of [
          ['GET', '/v1/api-keys'],
          ['POST', '/v1/api-keys'],
          ['DELETE', `/v1/api-keys/${ID}`],
        ] as const) {
          assertProblem(await tier.request({ method, url, authorization, body: method === 'POST' ? { name: 'x' } : undefined }), 401);
        }
      }
      assert.deepEqual(tier.calls(), []);
    });
  });
});
