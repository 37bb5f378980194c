import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('health', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  it('is live and ready while database and storage answer', async () => {
    const live = await t.http().get('/health');
    assert.equal(live.status, 200);
    const ready = await t.http().get('/health/ready');
    assert.equal(ready.status, 200);
    assert.equal(ready.body.details.database.status, 'up');
    assert.equal(ready.body.details.storage.status, 'up');
    assert.doesNotMatch(JSON.stringify(ready.body), /revela-(uploads|raw|processed)|buckets/, 'no bucket names in public');
  });

  it('answers 503 problem+json naming the failing part when storage is gone', async () => {
    await t.s3.stop();
    const ready = await t.http().get('/health/ready');
    assert.equal(ready.status, 503);
    assert.match(ready.headers['content-type'], /^application\/problem\+json/);
    assert.equal(ready.body.checks.storage.status, 'down');
    assert.equal(ready.body.checks.database.status, 'up');
    assert.deepEqual(ready.body.checks.storage, { status: 'down' }, 'up/down only: the reason goes to the logs');
    assert.doesNotMatch(ready.text, /bucket|Error|message/);
    const live = await t.http().get('/health');
    assert.equal(live.status, 200, 'liveness does not depend on storage');
  });
});
