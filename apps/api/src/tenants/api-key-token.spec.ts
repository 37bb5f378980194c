import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { apiKeyMatches, apiKeyPrefix, issueApiKey, secretsEqual } from './api-key-token.js';

describe('API key tokens', () => {
  it('issues distinct keys with a recognisable prefix and 32 random bytes', () => {
    const first = issueApiKey();
    const second = issueApiKey();
    assert.match(first.key, /^rvl_[0-9a-f]{16}_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(first.key, second.key);
    assert.equal(Buffer.from(first.key.split('_').slice(2).join('_'), 'base64url').length, 32);
    assert.equal(apiKeyPrefix(first.key), first.prefix);
  });

  it('stores only a hash that matches the key and nothing else', () => {
    const issued = issueApiKey();
    assert.ok(!issued.secretHash.toString('latin1').includes(issued.key));
    assert.equal(apiKeyMatches(issued.key, issued.secretHash), true);
    const tampered = issued.key.slice(0, -1) + (issued.key.endsWith('A') ? 'B' : 'A');
    assert.equal(apiKeyMatches(tampered, issued.secretHash), false);
  });

  it('rejects malformed tokens before any lookup', () => {
    for (const token of ['', 'rvl_', 'Bearer x', 'rvl_zzzzzzzzzzzzzzzz_' + 'a'.repeat(43), issueApiKey().key + 'x']) {
      assert.equal(apiKeyPrefix(token), undefined, token);
    }
  });

  it('compares secrets of different lengths without throwing', () => {
    assert.equal(secretsEqual('short', 'a much longer secret value'), false);
    assert.equal(secretsEqual('same-secret', 'same-secret'), true);
  });
});
