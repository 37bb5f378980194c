import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startTestApp, type TestApp } from '../support/test-app.js';

const BIG = JSON.stringify({ name: 'x'.repeat(5_000_000), kind: 'clinic' });

/** Node's fetch keeps sending while the server answers: the 413 must still reach it, not a reset. */
describe('oversized JSON bodies from fetch clients', () => {
  let t: TestApp;
  before(async () => {
    t = await startTestApp();
  });
  after(async () => {
    await t.close();
  });

  const send = async (streamed: boolean) => {
    const encoder = new TextEncoder();
    const body = streamed
      ? new ReadableStream({
          start(controller) {
            for (let i = 0; i < BIG.length; i += 65_536) controller.enqueue(encoder.encode(BIG.slice(i, i + 65_536)));
            controller.close();
          },
        })
      : BIG;
    const res = await fetch(`${t.baseUrl}/v1/tenants`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${t.adminToken}` },
      body,
      duplex: 'half',
    });
    return { status: res.status, type: res.headers.get('content-type'), body: (await res.json()) as { status: number; detail: string } };
  };

  for (const streamed of [false, true]) {
    it(`answers every 5 MB ${streamed ? 'streamed (chunked)' : 'sized'} body with 413 problem+json naming the limit`, async () => {
      for (let i = 0; i < 8; i += 1) {
        const res = await send(streamed);
        assert.equal(res.status, 413);
        assert.match(res.type ?? '', /^application\/problem\+json/);
        assert.match(res.body.detail, /1048576 bytes/);
      }
    });
  }
});
