import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { signBody, verifySignature } from './signature.js';

const KEY = 'k'.repeat(40);
const BODY = '{"status":"ready","tenantId":"t"}';
const NOW = 1_800_000_000;

describe('callback signatures', () => {
  it('verifies what it signed, over the exact bytes', () => {
    const header = signBody(KEY, BODY, NOW);
    assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
    assert.deepEqual(verifySignature(KEY, header, BODY, { nowSeconds: NOW }), { ok: true, timestamp: NOW });
    assert.deepEqual(verifySignature(KEY, header, Buffer.from(BODY), { nowSeconds: NOW + 10 }), { ok: true, timestamp: NOW });
  });

  it('binds the timestamp into the signature (timestamp + "." + body)', () => {
    const header = signBody(KEY, BODY, NOW);
    const moved = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    assert.equal(verifySignature(KEY, moved, BODY, { nowSeconds: NOW }).ok, false);
  });

  it('refuses another key, a changed body, and a tampered digest', () => {
    const header = signBody(KEY, BODY, NOW);
    assert.deepEqual(verifySignature('x'.repeat(40), header, BODY, { nowSeconds: NOW }), { ok: false, reason: 'signature does not match' });
    assert.equal(verifySignature(KEY, header, BODY.replace('ready', 'failed'), { nowSeconds: NOW }).ok, false);
    assert.equal(verifySignature(KEY, header, `${BODY} `, { nowSeconds: NOW }).ok, false);
    const flipped = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0');
    assert.equal(verifySignature(KEY, flipped, BODY, { nowSeconds: NOW }).ok, false);
  });

  it('refuses stale and far-future timestamps (5 minutes either way)', () => {
    const header = signBody(KEY, BODY, NOW);
    assert.equal(verifySignature(KEY, header, BODY, { nowSeconds: NOW + 300 }).ok, true);
    assert.deepEqual(verifySignature(KEY, header, BODY, { nowSeconds: NOW + 301 }), {
      ok: false,
      reason: 'signature timestamp is outside the tolerance',
    });
    assert.equal(verifySignature(KEY, header, BODY, { nowSeconds: NOW - 301 }).ok, false);
  });

  it('accepts any of several v1 signatures (key rotation)', () => {
    const good = signBody(KEY, BODY, NOW).split(',')[1];
    const other = signBody('o'.repeat(40), BODY, NOW).split(',')[1];
    assert.equal(verifySignature(KEY, `t=${NOW},${other},${good}`, BODY, { nowSeconds: NOW }).ok, true);
    assert.equal(verifySignature(KEY, `t=${NOW},${other}`, BODY, { nowSeconds: NOW }).ok, false);
  });

  it('treats missing and malformed headers as failures without throwing', () => {
    const digest = 'a'.repeat(64);
    const cases = [undefined, '', 'garbage', `v1=${digest}`, `t=${NOW}`, `t=abc,v1=${digest}`, `t=${NOW},v1=${digest.slice(2)}`, `t=${NOW},v1=${'z'.repeat(64)}`, `t=${NOW},t=${NOW},v1=${digest}`, `t=${NOW},v1=${digest}=x`];
    for (const header of cases) {
      const result = verifySignature(KEY, header, BODY, { nowSeconds: NOW });
      assert.equal(result.ok, false, String(header));
    }
    assert.deepEqual(verifySignature(KEY, undefined, BODY), { ok: false, reason: 'signature header is missing' });
  });
});
