import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, it } from 'node:test';
import { backoffDelay, retryingFetch } from './retry.js';

describe('the CLI’s retries', () => {
  /** Each request's method, path and Idempotency-Key; `plan` answers per request: 'reset' cuts the connection. */
  const seen: Array<{ method: string; path: string; key: string | undefined }> = [];
  let plan: (n: number, req: IncomingMessage) => 'reset' | number | [number, Record<string, string>] = () => 200;
  let base = '';
  const server = createServer((req: IncomingMessage, res: ServerResponse) => {
    seen.push({ method: req.method ?? '', path: req.url ?? '', key: req.headers['idempotency-key'] as string | undefined });
    const answer = plan(seen.length, req);
    req.resume();
    if (answer === 'reset') {
      req.socket.destroy();
      return;
    }
    const [status, headers] = Array.isArray(answer) ? answer : [answer, {}];
    res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify({ attempt: seen.length }));
  });
  const fetchWithRetries = retryingFetch({ baseDelayMs: 5, maxDelayMs: 20 });

  before(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => server.close());
  const reset = (resetFirst: number) => {
    seen.length = 0;
    plan = (n) => (n <= resetFirst ? 'reset' : 200);
  };

  it('repeats a GET whose connection was reset, until it gets through', async () => {
    reset(2);
    const response = await fetchWithRetries(new Request(`${base}/v1/jobs`));
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), { attempt: 3 });
  });

  it('repeats a POST with one Idempotency-Key for every attempt, so the API does the work once', async () => {
    reset(1);
    const response = await fetchWithRetries(
      new Request(`${base}/v1/jobs`, { method: 'POST', body: '{"name":"x"}', headers: { 'Content-Type': 'application/json' } }),
    );
    assert.equal(response.status, 200);
    assert.equal(seen.length, 2);
    assert.ok(seen[0].key && seen[0].key.length >= 32, 'a key was added');
    assert.equal(seen[1].key, seen[0].key, 'the same key on the retry');
  });

  it('repeats on 502/503/504 and an in-progress 409, hands back the last answer when the tries are spent, and never repeats a 4xx', async () => {
    seen.length = 0;
    plan = (n) => (n === 1 ? 503 : 200);
    assert.equal((await fetchWithRetries(new Request(`${base}/a`))).status, 200);
    assert.equal(seen.length, 2);

    seen.length = 0;
    plan = () => 503;
    assert.equal((await fetchWithRetries(new Request(`${base}/b`))).status, 503);
    assert.equal(seen.length, 5, 'five tries in all');

    seen.length = 0;
    plan = (n) => (n === 1 ? [409, { 'Retry-After': '1' }] : 201);
    const again = await fetchWithRetries(new Request(`${base}/d`, { method: 'POST', body: '{}' }));
    assert.equal(again.status, 201, 'a 409 with Retry-After: the first request with this key was still running');
    assert.equal(seen[1].key, seen[0].key);

    seen.length = 0;
    plan = () => 409;
    assert.equal((await fetchWithRetries(new Request(`${base}/c`, { method: 'POST', body: '{}' }))).status, 409);
    assert.equal(seen.length, 1);
  });

  it('does not replay a streamed file body (the uploader retries those itself, re-reading the file)', async () => {
    reset(1);
    const body = new Blob(['raw bytes']).stream();
    await assert.rejects(
      fetchWithRetries(
        new Request(`${base}/v1/jobs/1/files/2/content`, {
          method: 'PUT',
          body,
          headers: { 'Content-Type': 'application/octet-stream' },
          duplex: 'half',
        }),
      ),
      TypeError,
    );
    assert.equal(seen.length, 1);
  });

  it('waits longer after each failure, up to a ceiling', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((n) => backoffDelay(n, { baseDelayMs: 100, maxDelayMs: 1000 }));
    for (const [i, delay] of delays.entries()) {
      const floor = Math.min(1000, 100 * 2 ** i);
      assert.ok(delay >= floor && delay <= floor * 1.5, `attempt ${i + 1}: ${delay} ms`);
    }
  });
});
