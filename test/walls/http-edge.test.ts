import assert from 'node:assert/strict';
import { once } from 'node:events';
import net from 'node:net';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

const PROBLEM = /^application\/problem\+json/;
const BAD_KEY = `Bearer rvl_0000000000000000_${'A'.repeat(43)}`;

/** A raw connection to the app, to behave like a slow or stalling client. */
async function connect(t: TestApp): Promise<{ socket: net.Socket; received: () => string; closed: Promise<unknown> }> {
  const { hostname, port } = new URL(t.baseUrl);
  const socket = net.connect(Number(port), hostname);
  await once(socket, 'connect');
  let data = '';
  socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
  socket.on('error', () => undefined);
  return { socket, received: () => data, closed: once(socket, 'close') };
}

describe('HTTP edge: timeouts and failed-authentication throttling', () => {
  let t: TestApp;

  before(async () => {
    t = await startTestApp({
      AUTH_FAILURES_PER_MINUTE: '3',
      HTTP_REQUEST_TIMEOUT_SECONDS: '1',
      HTTP_IDLE_TIMEOUT_SECONDS: '20',
      UPLOAD_IDLE_TIMEOUT_SECONDS: '1',
    });
  });
  after(async () => {
    await t.close();
  });

  it('sends security headers, with a CSP under which Swagger UI still loads', async () => {
    const api = await t.http().get('/health');
    assert.equal(api.headers['x-content-type-options'], 'nosniff');
    assert.ok(api.headers['strict-transport-security']);
    assert.match(api.headers['content-security-policy'], /default-src 'self'/);
    // The console shows presigned thumbnails and uploads to presigned URLs: the storage origin, and only it, is allowed.
    const storage = new URL(t.config.s3.endpoint!).origin;
    const directive = (name: string) =>
      String(api.headers['content-security-policy'])
        .split(';')
        .map((d) => d.trim())
        .find((d) => d.startsWith(`${name} `));
    assert.equal(directive('connect-src'), `connect-src 'self' ${storage}`);
    assert.ok(directive('img-src')?.split(' ').includes(storage), 'thumbnails from storage may load');

    const docs = await t.http().get('/docs/');
    assert.equal(docs.status, 200);
    const csp = docs.headers['content-security-policy'];
    assert.match(csp, /script-src 'self'(;|$)/, 'no inline or remote scripts allowed');
    const scripts = [...docs.text.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.ok(scripts.length > 0);
    for (const [, attributes, inline] of scripts) {
      assert.match(attributes, /src="\.?\/?[^":]+"/, 'every script is a same-origin file the CSP admits');
      assert.equal(inline.trim(), '');
    }
    for (const [, src] of [...docs.text.matchAll(/<script[^>]*src="([^"]+)"/g)]) {
      const script = await t.http().get(new URL(src, `${t.baseUrl}/docs/`).pathname);
      assert.equal(script.status, 200, src);
    }
  });

  it('cuts off a slow-loris upload that stops sending, and stores nothing', async () => {
    const studio = await t.createTenant('studio');
    const auth = `Bearer ${studio.key}`;
    const job = await t.http().post('/v1/jobs').set('Authorization', auth).send({ name: 'Slow' });
    const declared = await t
      .http()
      .post(`/v1/jobs/${job.body.id}/files`)
      .set('Authorization', auth)
      .send({ filename: 'a.nef', bytes: 1_000_000 });
    assert.equal(declared.status, 201, declared.text);
    const path = `/v1/jobs/${job.body.id}/files/${declared.body.file.id}/content`;

    const client = await connect(t);
    client.socket.write(
      `PUT ${path} HTTP/1.1\r\nHost: x\r\nAuthorization: ${auth}\r\nContent-Type: application/octet-stream\r\nContent-Length: 1000000\r\n\r\n`,
    );
    client.socket.write(Buffer.alloc(1000, 1)); // then nothing more: the upload stalls
    await client.closed; // the server closes the connection (the test runner's timeout is the only clock here)
    assert.doesNotMatch(client.received(), /^HTTP\/1\.1 2/, 'the stalled upload never succeeded');

    const files = await t.http().get(`/v1/jobs/${job.body.id}/files`).set('Authorization', auth);
    assert.equal(files.status, 200);
    assert.equal(files.body.items[0].status, 'declared', 'nothing was recorded as uploaded');
  });

  it('answers 408 problem+json to a JSON body that trickles in and never completes', async () => {
    const client = await connect(t);
    client.socket.write(`POST /v1/tenants HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"name":`);
    // A byte every 100 ms: never idle, never complete.
    const trickle = setInterval(() => client.socket.writable && client.socket.write(' '), 100);
    try {
      await client.closed;
    } finally {
      clearInterval(trickle);
    }
    assert.match(client.received(), /^HTTP\/1\.1 408 /);
    assert.match(client.received(), /content-type: application\/problem\+json/i);
    assert.match(client.received(), /"status":408/);
  });

  it('throttles failed authentication per client address before any key lookup; a forged X-Forwarded-For does not change the key', async () => {
    const clinic = await t.createTenant('clinic');
    for (let i = 0; i < 3; i += 1) {
      const res = await t.http().get('/v1/tenant').set('Authorization', BAD_KEY).set('X-Forwarded-For', `203.0.113.${i}`);
      assert.equal(res.status, 401);
    }
    const blocked = await t.http().get('/v1/tenant').set('Authorization', BAD_KEY).set('X-Forwarded-For', '198.51.100.77');
    assert.equal(blocked.status, 429);
    assert.match(blocked.headers['content-type'], PROBLEM);
    assert.ok(Number(blocked.headers['retry-after']) >= 1);
    assert.equal(blocked.body.type, 'https://docs.revela.dev/problems/too-many-failed-authentications');

    const valid = await t.http().get('/v1/tenant').set('Authorization', `Bearer ${clinic.key}`).set('X-Forwarded-For', '192.0.2.200');
    assert.equal(valid.status, 429, 'the address is blocked before its key is even looked up');
  });
});

describe('HTTP edge: trusted proxies', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp({ AUTH_FAILURES_PER_MINUTE: '2', TRUSTED_PROXIES: '127.0.0.1,::1', DOCS_ENABLED: 'false' });
  });
  after(async () => {
    await t.close();
  });

  it('believes X-Forwarded-For only from a configured proxy: each forwarded client has its own budget', async () => {
    for (let i = 0; i < 2; i += 1) {
      assert.equal((await t.http().get('/v1/tenant').set('Authorization', BAD_KEY).set('X-Forwarded-For', '203.0.113.9')).status, 401);
    }
    assert.equal((await t.http().get('/v1/tenant').set('Authorization', BAD_KEY).set('X-Forwarded-For', '203.0.113.9')).status, 429);
    assert.equal((await t.http().get('/v1/tenant').set('Authorization', BAD_KEY).set('X-Forwarded-For', '203.0.113.10')).status, 401);
  });

  it('serves no API documentation with DOCS_ENABLED=false', async () => {
    assert.equal((await t.http().get('/docs-json')).status, 404);
    assert.equal((await t.http().get('/docs')).status, 404);
  });
});
