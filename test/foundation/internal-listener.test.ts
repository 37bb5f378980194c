import assert from 'node:assert/strict';
import type { Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { workerRoutes } from '#worker-protocol';
import { listenInternal } from '../../apps/api/src/internal-listener.js';
import { freePort } from '../support/net.js';
import { startTestApp, type TestApp } from '../support/test-app.js';

describe('internal listener (INTERNAL_PORT)', () => {
  let t: TestApp;
  let internal: Server;
  let internalUrl: string;

  before(async () => {
    const port = await freePort();
    t = await startTestApp({ INTERNAL_PORT: String(port) });
    internal = await listenInternal(t.app.getHttpAdapter().getInstance(), '127.0.0.1', port);
    internalUrl = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    internal.close();
    await t.close();
  });

  const post = (base: string, path: string) =>
    fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });

  it('answers the Lambda and worker routes only on the internal port, and still refuses unsigned calls there', async () => {
    for (const path of [workerRoutes.claimFile, '/internal/v1/photos/0b5d7c1e-8f6a-4c1e-9a43-2f7f1d1b9e11/result']) {
      const publicSide = await post(t.baseUrl, path);
      assert.equal(publicSide.status, 404, `${path} on the public port`);
      assert.match(publicSide.headers.get('content-type') ?? '', /^application\/problem\+json/);
      const internalSide = await post(internalUrl, path);
      assert.equal(internalSide.status, 401, `${path} on the internal port needs its credential`);
    }
  });

  it('serves nothing public on the internal port', async () => {
    assert.equal((await fetch(`${internalUrl}/v1/tenant`)).status, 404);
    assert.equal((await fetch(`${t.baseUrl}/health`)).status, 200);
  });
});
