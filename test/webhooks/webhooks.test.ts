import assert from 'node:assert/strict';
import { after, before, describe, it, mock } from 'node:test';
import pg from 'pg';
import { Webhook } from 'standardwebhooks';
import { WebhookResolver } from '../../apps/api/src/webhooks/webhook-sender.js';
import { createAnimal, getPhoto, image, originalCreatedEvent, PROBLEM, uploadPresigned } from '../clinic/photo-helpers.js';
import { createJob } from '../support/studio.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { eventually, WebhookReceiver } from '../support/webhook-receiver.js';

/** Fast schedule: retries after ~0.1-0.2 s, ~0.2-0.4 s, …, at most 1 s apart; disabled after 2 s of failures. */
const FAST = {
  WEBHOOK_POLL_MS: '50',
  WEBHOOK_RETRY_BASE_SECONDS: '0.2',
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: '1',
  WEBHOOK_RETRY_WINDOW_SECONDS: '120',
  WEBHOOK_DISABLE_AFTER_SECONDS: '2',
};

describe('webhooks (Standard Webhooks, transactional outbox, outbound safety)', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;
  let db: pg.Client;

  before(async () => {
    t = await startTestApp(FAST, { thumbnails: 'manual' });
    receiver = await WebhookReceiver.start();
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await receiver.close();
    await t.close();
  });

  const as = (key: string) => ({
    get: (path: string) => t.http().get(path).set('Authorization', `Bearer ${key}`),
    post: (path: string, body?: object) => t.http().post(path).set('Authorization', `Bearer ${key}`).send(body),
    patch: (path: string, body: object) => t.http().patch(path).set('Authorization', `Bearer ${key}`).send(body),
    delete: (path: string) => t.http().delete(path).set('Authorization', `Bearer ${key}`),
  });

  async function endpoint(key: string, url: string, events: string[] = ['job.canceled']): Promise<{ id: string; secret: string }> {
    const res = await as(key).post('/v1/webhook-endpoints', { url, events, description: 'test' });
    assert.equal(res.status, 201, res.text);
    return { id: res.body.id, secret: res.body.secret };
  }

  /** Stops retries towards a receiver about to close (its port could be reused by another). */
  async function deleteEndpoints(key: string): Promise<void> {
    for (const { id } of (await as(key).get('/v1/webhook-endpoints')).body.items)
      await as(key).delete(`/v1/webhook-endpoints/${id}`).expect(204);
  }

  async function deliveries(key: string, endpointId: string): Promise<Array<Record<string, any>>> {
    const res = await as(key).get(`/v1/webhook-endpoints/${endpointId}/deliveries`);
    assert.equal(res.status, 200, res.text);
    return res.body.items;
  }

  it('manages endpoints: the secret is shown once, patch, list, delete, and other tenants see 404', async () => {
    const tenant = await t.createTenant('clinic');
    const created = await as(tenant.key).post('/v1/webhook-endpoints', {
      url: receiver.url('/a'),
      events: ['photo.ready'],
      description: 'PMS sync',
    });
    assert.equal(created.status, 201, created.text);
    assert.match(created.body.secret, /^whsec_[A-Za-z0-9+/]{43}=$/);
    assert.equal(created.body.enabled, true);

    const got = await as(tenant.key).get(`/v1/webhook-endpoints/${created.body.id}`);
    assert.equal(got.status, 200);
    assert.equal(got.body.secret, undefined, 'never shown again');
    assert.deepEqual(got.body.events, ['photo.ready']);

    const patched = await as(tenant.key).patch(`/v1/webhook-endpoints/${created.body.id}`, {
      events: ['photo.ready', 'photo.failed'],
      description: 'renamed',
    });
    assert.equal(patched.status, 200, patched.text);
    assert.deepEqual(patched.body.events, ['photo.ready', 'photo.failed']);
    assert.equal(patched.body.url, receiver.url('/a'));

    const listed = await as(tenant.key).get('/v1/webhook-endpoints');
    assert.deepEqual(
      listed.body.items.map((e: { id: string }) => e.id),
      [created.body.id],
    );
    assert.equal(listed.body.nextCursor, null);

    const other = await t.createTenant('clinic');
    assert.equal((await as(other.key).get(`/v1/webhook-endpoints/${created.body.id}`)).status, 404);
    assert.equal((await as(other.key).delete(`/v1/webhook-endpoints/${created.body.id}`)).status, 404);

    const badEvent = await as(tenant.key).post('/v1/webhook-endpoints', { url: receiver.url(), events: ['photo.eaten'] });
    assert.equal(badEvent.status, 400);
    assert.match(badEvent.headers['content-type'], PROBLEM);
    assert.equal(badEvent.body.errors[0].field, 'events');

    assert.equal((await as(tenant.key).delete(`/v1/webhook-endpoints/${created.body.id}`)).status, 204);
    assert.equal((await as(tenant.key).get(`/v1/webhook-endpoints/${created.body.id}`)).status, 404);
  });

  it('signs deliveries so that the standardwebhooks package verifies them', async () => {
    const tenant = await t.createTenant('clinic');
    const { id, secret } = await endpoint(tenant.key, receiver.url('/signed'));
    const test = await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`);
    assert.equal(test.status, 202, test.text);
    const [received] = await receiver.waitFor(
      (all) => all.filter((r) => r.path === '/signed').length === 1 && all.filter((r) => r.path === '/signed'),
      'the test event',
    );
    assert.equal(received.headers['webhook-id'], test.body.eventId);
    const verified = new Webhook(secret).verify(received.body, received.headers as Record<string, string>) as Record<string, any>;
    assert.equal(verified.type, 'webhook.test');
    assert.equal(verified.data.endpointId, id);
    assert.match(received.headers['content-type'] ?? '', /^application\/json/);

    const [delivery] = await eventually(async () => {
      const items = await deliveries(tenant.key, id);
      return items[0]?.status === 'succeeded' && items;
    }, 'the delivery to be recorded');
    assert.equal(delivery.eventType, 'webhook.test');
    assert.equal(delivery.attempts.length, 1);
    assert.equal(delivery.attempts[0].outcome, 'succeeded');
    assert.equal(delivery.attempts[0].responseStatus, 200);
    assert.equal(typeof delivery.attempts[0].latencyMs, 'number');
  });

  it('retries a failing receiver with backoff: 500, 500, then 200 gets the same webhook-id three times', async () => {
    const tenant = await t.createTenant('clinic');
    const flaky = await WebhookReceiver.start((_r, index) => (index < 2 ? 500 : 200));
    try {
      const { id, secret } = await endpoint(tenant.key, flaky.url());
      await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`).expect(202);
      await flaky.waitFor((all) => all.length >= 3, 'three attempts');
      const [delivery] = await eventually(async () => {
        const items = await deliveries(tenant.key, id);
        return items[0]?.status === 'succeeded' && items;
      }, 'the delivery to succeed');
      assert.equal(flaky.received.length, 3, 'no attempt after the success');
      const ids = new Set(flaky.received.map((r) => r.headers['webhook-id']));
      assert.deepEqual([...ids], [delivery.eventId], 'the same webhook-id on every attempt');
      assert.equal(new Set(flaky.received.map((r) => r.body)).size, 1, 'the same body on every attempt');
      for (const r of flaky.received) new Webhook(secret).verify(r.body, r.headers as Record<string, string>);
      assert.deepEqual(
        delivery.attempts.map((a: { outcome: string; responseStatus: number }) => [a.outcome, a.responseStatus]),
        [
          ['failed', 500],
          ['failed', 500],
          ['succeeded', 200],
        ],
      );
      const endpointNow = await as(tenant.key).get(`/v1/webhook-endpoints/${id}`);
      assert.equal(endpointNow.body.failingSince, null, 'a success clears the failure record');

      // Redelivery sends the same event again, with the same webhook-id.
      const again = await as(tenant.key).post(`/v1/webhook-endpoints/${id}/deliveries/${delivery.id}/redeliver`);
      assert.equal(again.status, 202, again.text);
      await flaky.waitFor((all) => all.length === 4, 'the redelivery');
      assert.equal(flaky.received[3].headers['webhook-id'], delivery.eventId);
    } finally {
      await deleteEndpoints(tenant.key);
      await flaky.close();
    }
  });

  it('rotates the secret: for 24 hours deliveries verify with the old secret and with the new one', async () => {
    const tenant = await t.createTenant('clinic');
    const rotating = await WebhookReceiver.start();
    try {
      const { id, secret: old } = await endpoint(tenant.key, rotating.url());
      const rotated = await as(tenant.key).post(`/v1/webhook-endpoints/${id}/rotate-secret`);
      assert.equal(rotated.status, 200, rotated.text);
      assert.notEqual(rotated.body.secret, old);
      const overlap = new Date(rotated.body.previousSecretExpiresAt).getTime() - Date.now();
      assert.ok(overlap > 23.9 * 3600_000 && overlap <= 24 * 3600_000, `old secret valid for ${overlap} ms`);
      await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`).expect(202);
      const [received] = await rotating.waitFor((all) => all.length === 1 && all, 'a delivery after rotation');
      for (const secret of [old, rotated.body.secret])
        new Webhook(secret).verify(received.body, received.headers as Record<string, string>);
      assert.equal(String(received.headers['webhook-signature']).split(' ').length, 2);
    } finally {
      await deleteEndpoints(tenant.key);
      await rotating.close();
    }
  });

  it('disables an endpoint that keeps failing, and shows the tenant why', async () => {
    const tenant = await t.createTenant('clinic');
    const down = await WebhookReceiver.start(() => 503);
    try {
      const { id } = await endpoint(tenant.key, down.url());
      await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`).expect(202);
      const disabled = await eventually(async () => {
        const res = await as(tenant.key).get(`/v1/webhook-endpoints/${id}`);
        return res.body.enabled === false && res.body;
      }, 'the endpoint to be disabled');
      assert.match(disabled.disabledReason, /disabled by Revela: every delivery failed since .* attempts; last: answered 503/);
      assert.ok(disabled.disabledAt);
      const [delivery] = await deliveries(tenant.key, id);
      assert.equal(delivery.status, 'failed');
      assert.ok(delivery.attempts.length >= 2 && delivery.attempts.every((a: { responseStatus: number }) => a.responseStatus === 503));
      const test = await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`);
      assert.equal(test.status, 409, 'nothing is sent to a disabled endpoint');

      const enabled = await as(tenant.key).patch(`/v1/webhook-endpoints/${id}`, { enabled: true });
      assert.equal(enabled.body.enabled, true);
      assert.equal(enabled.body.disabledReason, null);
      assert.equal(enabled.body.failingSince, null);
    } finally {
      await deleteEndpoints(tenant.key);
      await down.close();
    }
  });

  it('refuses private targets: at registration for address literals, and at delivery for what a name resolves to', async () => {
    const tenant = await t.createTenant('clinic');
    for (const url of [
      'http://10.0.0.5/hook',
      'https://169.254.169.254/latest/meta-data/',
      'http://[fd00::1]/',
      'ftp://example.com/',
      'http://user:pw@example.com/',
    ]) {
      const res = await as(tenant.key).post('/v1/webhook-endpoints', { url, events: ['job.canceled'] });
      assert.equal(res.status, 400, `${url}: ${res.text}`);
      assert.equal(res.body.errors[0].field, 'url');
    }

    // A name that resolves to a private address (DNS rebinding, an internal host) is refused at
    // delivery, before any connection, and the attempt says why. DNS is the one thing stood in for.
    const resolver = t.app.get(WebhookResolver);
    const lookup = mock.method(resolver, 'lookup', async (host: string) =>
      host === 'hooks.rebind.test' ? [{ address: '10.1.2.3', family: 4 }] : [{ address: '169.254.169.254', family: 4 }],
    );
    try {
      const rebinding = await endpoint(tenant.key, 'http://hooks.rebind.test/hook');
      const metadata = await endpoint(tenant.key, 'http://metadata.rebind.test/latest/meta-data/');
      for (const { id } of [rebinding, metadata]) await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`).expect(202);
      for (const [{ id }, address] of [
        [rebinding, '10.1.2.3'],
        [metadata, '169.254.169.254'],
      ] as const) {
        const [delivery] = await eventually(async () => {
          const items = await deliveries(tenant.key, id);
          return items[0]?.attempts.length > 0 && items;
        }, 'a refused attempt');
        const attempt = delivery.attempts[0];
        assert.equal(attempt.outcome, 'refused');
        assert.equal(attempt.responseStatus, null);
        assert.match(
          attempt.error,
          new RegExp(`refused: .* resolves to ${address.replaceAll('.', '\\.')}, a private, link-local or reserved address`),
        );
      }
      assert.ok(lookup.mock.callCount() >= 2);
    } finally {
      await deleteEndpoints(tenant.key);
      lookup.mock.restore();
    }
  });

  it('does not follow redirects', async () => {
    const tenant = await t.createTenant('clinic');
    const target = await WebhookReceiver.start();
    const redirecting = await WebhookReceiver.start(() => ({ status: 307, headers: { location: target.url() } }));
    try {
      const { id } = await endpoint(tenant.key, redirecting.url());
      await as(tenant.key).post(`/v1/webhook-endpoints/${id}/test`).expect(202);
      const [delivery] = await eventually(async () => {
        const items = await deliveries(tenant.key, id);
        return items[0]?.attempts.length > 0 && items;
      }, 'an attempt');
      assert.equal(delivery.attempts[0].outcome, 'failed');
      assert.equal(delivery.attempts[0].responseStatus, 307);
      assert.match(delivery.attempts[0].error, /redirects are not followed/);
      assert.equal(target.received.length, 0);
    } finally {
      await deleteEndpoints(tenant.key);
      await redirecting.close();
      await target.close();
    }
  });

  it('sends job.canceled with the job as GET returns it', async () => {
    const studio = await t.createTenant('studio');
    const jobs = await WebhookReceiver.start();
    try {
      await endpoint(studio.key, jobs.url(), ['job.canceled', 'job.completed']);
      const jobId = await createJob(t, studio.key, { name: 'Canceled shoot' });
      const canceled = await as(studio.key).post(`/v1/jobs/${jobId}/cancel`);
      assert.equal(canceled.status, 200);
      const [received] = await jobs.waitFor((all) => all.length > 0 && all, 'job.canceled');
      assert.equal(received.event.type, 'job.canceled');
      const got = await as(studio.key).get(`/v1/jobs/${jobId}`);
      assert.deepEqual(received.event.data, { job: got.body });
    } finally {
      await deleteEndpoints(studio.key);
      await jobs.close();
    }
  });

  it('sends photo.ready and photo.failed with the photo as GET returns it, without presigned URLs', async () => {
    const clinic = await t.createTenant('clinic');
    const photos = await WebhookReceiver.start();
    try {
      await endpoint(clinic.key, photos.url(), ['photo.ready', 'photo.failed']);
      const auth = `Bearer ${clinic.key}`;
      const animalId = await createAnimal(t, auth);
      const good = image('orientation_1.jpg');
      const ready = await uploadPresigned(t, auth, animalId, 'good.jpg', good);
      await t.thumbnails!.handler(originalCreatedEvent(t, clinic.id, animalId, ready.id, good.length));
      const junk = Buffer.from('definitely not a picture');
      const failed = await uploadPresigned(t, auth, animalId, 'junk.jpg', junk, 'image/jpeg');
      await t.thumbnails!.handler(originalCreatedEvent(t, clinic.id, animalId, failed.id, junk.length));

      await photos.waitFor((all) => all.length === 2, 'two photo events');
      const readyEvent = photos.ofType('photo.ready')[0].event.data;
      const readyPhoto = await getPhoto(t, auth, animalId, ready.id);
      assert.equal(readyPhoto.status, 'ready');
      assert.deepEqual(readyEvent, {
        photo: { ...readyPhoto, renditions: readyPhoto.renditions.map(({ url: _url, expiresAt: _expires, ...rest }) => rest) },
      });
      assert.doesNotMatch(JSON.stringify(readyEvent), /X-Amz-|https?:\/\//, 'no presigned URL');

      const failedEvent = photos.ofType('photo.failed')[0].event.data;
      const failedPhoto = await getPhoto(t, auth, animalId, failed.id);
      assert.equal(failedPhoto.status, 'failed');
      assert.deepEqual(failedEvent, { photo: failedPhoto });
    } finally {
      await deleteEndpoints(clinic.key);
      await photos.close();
    }
  });

  it('writes the event in the state change’s transaction: a rolled-back change leaves no event, a failed event write rolls back the change', async () => {
    const studio = await t.createTenant('studio');
    const events = async () =>
      (await db.query(`SELECT type FROM webhook_events WHERE tenant_id = $1`, [studio.id])).rows.map((r) => r.type);
    await endpoint(studio.key, receiver.url('/tx'), ['job.canceled']);

    // A check that fails at COMMIT, after every statement of the transaction (the event's included) ran.
    await db.query(
      `CREATE FUNCTION refuse_commit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION 'refused at commit'; END $$`,
    );
    await db.query(`CREATE CONSTRAINT TRIGGER doomed_jobs AFTER UPDATE ON jobs DEFERRABLE INITIALLY DEFERRED FOR EACH ROW
                    WHEN (NEW.name = 'doomed' AND NEW.status = 'canceled') EXECUTE FUNCTION refuse_commit()`);
    try {
      const doomed = await createJob(t, studio.key, { name: 'doomed' });
      const res = await as(studio.key).post(`/v1/jobs/${doomed}/cancel`);
      assert.equal(res.status, 500);
      assert.equal((await as(studio.key).get(`/v1/jobs/${doomed}`)).body.status, 'draft', 'the change was rolled back');
      assert.deepEqual(await events(), [], 'and no event was invented');
    } finally {
      await db.query(`DROP TRIGGER doomed_jobs ON jobs`);
    }

    // The other way round: when the event cannot be written, the change does not happen either.
    await db.query(
      `CREATE TRIGGER no_events BEFORE INSERT ON webhook_events FOR EACH ROW WHEN (NEW.type = 'job.canceled') EXECUTE FUNCTION refuse_commit()`,
    );
    try {
      const kept = await createJob(t, studio.key, { name: 'kept' });
      assert.equal((await as(studio.key).post(`/v1/jobs/${kept}/cancel`)).status, 500);
      assert.equal((await as(studio.key).get(`/v1/jobs/${kept}`)).body.status, 'draft', 'no state change without its event');
    } finally {
      await db.query(`DROP TRIGGER no_events ON webhook_events`);
      await db.query(`DROP FUNCTION refuse_commit()`);
    }

    const fine = await createJob(t, studio.key, { name: 'fine' });
    assert.equal((await as(studio.key).post(`/v1/jobs/${fine}/cancel`)).status, 200);
    assert.deepEqual(await events(), ['job.canceled'], 'exactly one event for the one change that committed');
    await receiver.waitFor((all) => all.some((r) => r.path === '/tx'), 'the committed event');
  });
});
