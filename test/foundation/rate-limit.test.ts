import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('per-tenant rate limiting', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ RATE_LIMIT_PER_MINUTE: '5' });
  });
  after(async () => {
    await t.close();
  });

  it('answers 429 problem+json with Retry-After once a tenant exceeds its budget, and only for that tenant', async () => {
    const noisy = await t.createTenant('clinic');
    const quiet = await t.createTenant('clinic');
    const statuses: number[] = [];
    const answers = [];
    for (let i = 0; i < 7; i += 1) {
      const answer = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${noisy.key}`);
      statuses.push(answer.status);
      answers.push(answer);
    }
    const last = answers[answers.length - 1];
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.match(last.headers['content-type'], /^application\/problem\+json/);
    assert.equal(last.body.status, 429);
    assert.ok(Number(last.headers['retry-after']) > 0);

    const other = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${quiet.key}`);
    assert.equal(other.status, 200, 'another tenant keeps its own budget');
    const health = await t.http().get('/health');
    assert.equal(health.status, 200, 'health checks are not rate limited');
  });

  it('advertises the budget with the IETF RateLimit-Policy and RateLimit fields on every response, errors included', async () => {
    const tenant = await t.createTenant('studio');
    const auth = `Bearer ${tenant.key}`;
    const first = await t.http().get('/v1/tenant').set('Authorization', auth);
    assert.equal(first.status, 200);
    assert.equal(first.headers['ratelimit-policy'], '"default";q=5;w=60');
    const parse = (value: string) => {
      const match = /^"default";r=(\d+);t=(\d+)$/.exec(value);
      assert.ok(match, value);
      return { remaining: Number(match[1]), reset: Number(match[2]) };
    };
    assert.equal(parse(first.headers.ratelimit).remaining, 4);
    assert.ok(parse(first.headers.ratelimit).reset > 0 && parse(first.headers.ratelimit).reset <= 60);

    // One budget per tenant across routes, and problem responses carry the fields too.
    const missing = await t.http().get('/v1/jobs/00000000-0000-4000-8000-000000000000').set('Authorization', auth);
    assert.equal(missing.status, 404);
    assert.equal(parse(missing.headers.ratelimit).remaining, 3);
    const invalid = await t.http().post('/v1/jobs').set('Authorization', auth).send({});
    assert.equal(invalid.status, 400);
    assert.equal(parse(invalid.headers.ratelimit).remaining, 2);
    await t.http().get('/v1/api-keys').set('Authorization', auth).expect(200);
    const last = await t.http().get('/v1/tenant').set('Authorization', auth);
    assert.equal(parse(last.headers.ratelimit).remaining, 0);

    const limited = await t.http().get('/v1/jobs').set('Authorization', auth);
    assert.equal(limited.status, 429);
    assert.equal(limited.headers['ratelimit-policy'], '"default";q=5;w=60');
    const state = parse(limited.headers.ratelimit);
    assert.equal(state.remaining, 0);
    assert.equal(Number(limited.headers['retry-after']), state.reset);
  });
});
