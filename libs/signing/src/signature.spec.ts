import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SignedRequest, signRequest, verifyRequest } from './signature.js';

const KEY = 'k'.repeat(40);
const BODY = '{"status":"ready","tenantId":"t"}';
const NOW = 1_800_000_000;
const PHOTO = '/internal/v1/photos/0d6c3a52-6a8e-4d55-9a0e-0a4f2a3b9c11/result';
const SIBLING = '/internal/v1/photos/5f0c7d7e-2f8a-4a8e-9c1b-3e2f4d5a6b7c/result';
const REQUEST: SignedRequest = { method: 'POST', path: PHOTO, reportId: '8a1d2c3b-4e5f-4a6b-8c7d-9e0f1a2b3c4d', body: BODY };

describe('callback signatures', () => {
  it('verifies what it signed, over the exact bytes', () => {
    const header = signRequest(KEY, REQUEST, NOW);
    assert.match(header, /^t=1800000000,v1=[0-9a-f]{64}$/);
    assert.deepEqual(verifyRequest(KEY, header, REQUEST, { nowSeconds: NOW }), { ok: true, timestamp: NOW });
    assert.deepEqual(verifyRequest(KEY, header, { ...REQUEST, body: Buffer.from(BODY) }, { nowSeconds: NOW + 10 }), {
      ok: true,
      timestamp: NOW,
    });
  });

  it('binds the method, the path (the photo id), the report id and the timestamp', () => {
    const header = signRequest(KEY, REQUEST, NOW);
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, path: SIBLING }, { nowSeconds: NOW }).ok, false, 'another photo');
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, path: `${PHOTO}?x=1` }, { nowSeconds: NOW }).ok, false, 'a query added');
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, method: 'PUT' }, { nowSeconds: NOW }).ok, false, 'another method');
    assert.equal(
      verifyRequest(KEY, header, { ...REQUEST, reportId: 'aaaaaaaa-4e5f-4a6b-8c7d-9e0f1a2b3c4d' }, { nowSeconds: NOW }).ok,
      false,
      'another id',
    );
    const moved = header.replace(`t=${NOW}`, `t=${NOW + 1}`);
    assert.equal(verifyRequest(KEY, moved, REQUEST, { nowSeconds: NOW }).ok, false, 'another timestamp');
  });

  it('refuses another key, a changed body, and a tampered digest', () => {
    const header = signRequest(KEY, REQUEST, NOW);
    assert.deepEqual(verifyRequest('x'.repeat(40), header, REQUEST, { nowSeconds: NOW }), {
      ok: false,
      reason: 'signature does not match',
    });
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, body: BODY.replace('ready', 'failed') }, { nowSeconds: NOW }).ok, false);
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, body: `${BODY} ` }, { nowSeconds: NOW }).ok, false);
    const flipped = header.slice(0, -1) + (header.endsWith('0') ? '1' : '0');
    assert.equal(verifyRequest(KEY, flipped, REQUEST, { nowSeconds: NOW }).ok, false);
  });

  it('refuses stale and far-future timestamps (5 minutes either way)', () => {
    const header = signRequest(KEY, REQUEST, NOW);
    assert.equal(verifyRequest(KEY, header, REQUEST, { nowSeconds: NOW + 300 }).ok, true);
    assert.deepEqual(verifyRequest(KEY, header, REQUEST, { nowSeconds: NOW + 301 }), {
      ok: false,
      reason: 'signature timestamp is outside the tolerance',
    });
    assert.equal(verifyRequest(KEY, header, REQUEST, { nowSeconds: NOW - 301 }).ok, false);
  });

  it('accepts any of several v1 signatures (key rotation)', () => {
    const good = signRequest(KEY, REQUEST, NOW).split(',')[1];
    const other = signRequest('o'.repeat(40), REQUEST, NOW).split(',')[1];
    assert.equal(verifyRequest(KEY, `t=${NOW},${other},${good}`, REQUEST, { nowSeconds: NOW }).ok, true);
    assert.equal(verifyRequest(KEY, `t=${NOW},${other}`, REQUEST, { nowSeconds: NOW }).ok, false);
  });

  it('treats missing and malformed headers, and a missing report id, as failures without throwing', () => {
    const digest = 'a'.repeat(64);
    const cases = [
      undefined,
      '',
      'garbage',
      `v1=${digest}`,
      `t=${NOW}`,
      `t=abc,v1=${digest}`,
      `t=${NOW},v1=${digest.slice(2)}`,
      `t=${NOW},v1=${'z'.repeat(64)}`,
      `t=${NOW},t=${NOW},v1=${digest}`,
      `t=${NOW},v1=${digest}=x`,
    ];
    for (const header of cases) {
      const result = verifyRequest(KEY, header, REQUEST, { nowSeconds: NOW });
      assert.equal(result.ok, false, String(header));
    }
    assert.deepEqual(verifyRequest(KEY, undefined, REQUEST), { ok: false, reason: 'signature header is missing' });
    const header = signRequest(KEY, REQUEST, NOW);
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, reportId: undefined }, { nowSeconds: NOW }).ok, false);
    assert.equal(verifyRequest(KEY, header, { ...REQUEST, reportId: 'not-a-uuid' }, { nowSeconds: NOW }).ok, false);
  });
});
