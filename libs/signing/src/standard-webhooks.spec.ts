import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Webhook } from 'standardwebhooks';
import { generateWebhookSecret, signWebhook, webhookHeaders } from './standard-webhooks.js';

describe('Standard Webhooks signatures', () => {
  it('matches the specification’s reference example', () => {
    // The example of the Standard Webhooks specification (spec/standard-webhooks.md).
    const secret = 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw';
    const body = '{"test": 2432232314}';
    assert.equal(signWebhook(secret, 'msg_p5jXN8AQM9LWM0D4loKWxJek', 1614265330, body), 'v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=');
  });

  it('is verified by the standardwebhooks package, with either secret during a rotation', () => {
    const [current, previous] = [generateWebhookSecret(), generateWebhookSecret()];
    assert.match(current, /^whsec_[A-Za-z0-9+/]{43}=$/);
    const body = JSON.stringify({ type: 'photo.ready', timestamp: new Date().toISOString(), data: { id: 1 } });
    const headers = webhookHeaders([current, previous], 'evt_1', body);
    assert.equal(headers['webhook-signature'].split(' ').length, 2);
    for (const secret of [current, previous]) assert.deepEqual(new Webhook(secret).verify(body, headers), JSON.parse(body));
    assert.throws(() => new Webhook(generateWebhookSecret()).verify(body, headers), /No matching signature/);
    assert.throws(() => new Webhook(current).verify(body + ' ', headers), /No matching signature/);
  });
});
