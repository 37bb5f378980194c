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
    let last;
    for (let i = 0; i < 7; i += 1) {
      last = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${noisy.key}`);
      statuses.push(last.status);
    }
    assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429, 429]);
    assert.match(last!.headers['content-type'], /^application\/problem\+json/);
    assert.equal(last!.body.status, 429);
    assert.ok(Number(last!.headers['retry-after']) > 0);

    const other = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${quiet.key}`);
    assert.equal(other.status, 200, 'another tenant keeps its own budget');
    const health = await t.http().get('/health');
    assert.equal(health.status, 200, 'health checks are not rate limited');
  });
});
