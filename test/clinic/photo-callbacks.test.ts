import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { signBody } from '#signing';
import { photoResultPath } from '#thumbnails';
import { createS3Client, keys } from '#storage';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createAnimal, getPhoto, image, originalCreatedEvent, PROBLEM, uploadPresigned } from './photo-helpers.js';

/** The Lambda's side, driven by hand: events are delivered only when the suite invokes the handler. */
describe('thumbnail Lambda callbacks: idempotence and signatures', () => {
  let t: TestApp;
  let clinic: { id: string; key: string };
  let auth: string;
  let animalId: string;

  before(async () => {
    t = await startTestApp({}, { thumbnails: 'manual' });
    clinic = await t.createTenant('clinic');
    auth = `Bearer ${clinic.key}`;
    animalId = await createAnimal(t, auth);
  });
  after(async () => {
    await t.close();
  });

  const post = (photoId: string, body: string, signature?: string) => {
    const req = t.http().post(photoResultPath(photoId)).set('Content-Type', 'application/json');
    return (signature ? req.set('X-Revela-Signature', signature) : req).send(body);
  };

  it('handles a duplicate event idempotently: one state change, the same renditions', async () => {
    const bytes = image('orientation_3.jpg');
    const photo = await uploadPresigned(t, auth, animalId, 'twice.jpg', bytes);
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'pending_upload', 'no event delivered yet');
    const event = originalCreatedEvent(t, clinic.id, animalId, photo.id, bytes.length);

    const [first, second] = await Promise.all([t.thumbnails!.handler(event), t.thumbnails!.handler(event)]);
    const outcomes = [first[0]!, second[0]!];
    const changed = outcomes.filter((o) => 'changed' in o && o.changed);
    assert.equal(changed.length, 1, `exactly one invocation changed the photo: ${JSON.stringify(outcomes)}`);
    assert.ok(outcomes.every((o) => o.outcome === 'ready' || o.outcome === 'skipped'));

    const ready = await getPhoto(t, auth, animalId, photo.id);
    assert.equal(ready.status, 'ready');
    const s3 = createS3Client({ endpoint: t.s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    const stored = async () =>
      Promise.all(
        ready.renditions.map(async (r) => {
          const key = keys.photoRendition(clinic.id, animalId, photo.id, r.name, r.contentType === 'image/jpeg' ? 'jpg' : 'webp');
          const object = await s3.send(new GetObjectCommand({ Bucket: t.config.s3.buckets.processed, Key: key }));
          return Buffer.from(await object.Body!.transformToByteArray());
        }),
      );
    const before = await stored();
    assert.deepEqual(before.map((b) => b.length), ready.renditions.map((r) => r.bytes), 'stored renditions are the reported ones');

    const third = await t.thumbnails!.handler(event);
    assert.deepEqual(third, [{ key: keys.photoOriginal(clinic.id, animalId, photo.id), photoId: photo.id, outcome: 'skipped', why: 'photo is ready' }]);
    const after = await getPhoto(t, auth, animalId, photo.id);
    assert.equal(after.updatedAt, ready.updatedAt, 'no further change');
    assert.equal(after.processedAt, ready.processedAt);
    assert.deepEqual(after.renditions.map((r) => [r.name, r.width, r.height, r.bytes]), ready.renditions.map((r) => [r.name, r.width, r.height, r.bytes]));
    assert.ok((await stored()).every((b, i) => b.equals(before[i]!)), 'same bytes');
    s3.destroy();
  });

  it('ignores keys that are not photo originals, other buckets and removals', async () => {
    const event = originalCreatedEvent(t, clinic.id, animalId, '5b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10', 10);
    const record = event.Records[0]!;
    const variants = [
      { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: `tenants/${clinic.id}/jobs/x/raw/y` } } },
      { ...record, s3: { ...record.s3, bucket: { ...record.s3.bucket, name: t.config.s3.buckets.processed } } },
      { ...record, eventName: 'ObjectRemoved:Delete' },
    ];
    const outcomes = await t.thumbnails!.handler({ Records: variants });
    assert.deepEqual(outcomes.map((o) => o.outcome), ['ignored', 'ignored', 'ignored']);
  });

  it('acknowledges and drops an event for an unknown or deleted photo, removing the orphaned upload', async () => {
    const bytes = image('orientation_1.jpg');
    const photo = await uploadPresigned(t, auth, animalId, 'deleted.jpg', bytes);
    await t.http().delete(`/v1/animals/${animalId}/photos/${photo.id}`).set('Authorization', auth).expect(204);
    // A client still holding the presigned URL uploads after the delete.
    const s3 = createS3Client({ endpoint: t.s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await s3.send(new PutObjectCommand({ Bucket: t.config.s3.buckets.uploads, Key: keys.photoOriginal(clinic.id, animalId, photo.id), Body: bytes }));
    const outcomes = await t.thumbnails!.handler(originalCreatedEvent(t, clinic.id, animalId, photo.id, bytes.length));
    assert.equal(outcomes[0]!.outcome, 'skipped');
    const { objectSize } = await import('#storage');
    assert.equal(await objectSize(s3, t.config.s3.buckets.uploads, keys.photoOriginal(clinic.id, animalId, photo.id)), undefined);
    s3.destroy();
  });

  it('rejects forged, stale, unsigned and tampered callbacks with 401 problem+json', async () => {
    const photo = await uploadPresigned(t, auth, animalId, 'target.jpg', image('orientation_1.jpg'));
    const body = JSON.stringify({ status: 'failed', tenantId: clinic.id, animalId, reason: 'forged' });
    const now = Math.floor(Date.now() / 1000);
    const cases: Array<[string, string | undefined, string]> = [
      ['unsigned', undefined, body],
      ['wrong key', signBody('not-the-signing-key-but-long-enough-1234', body), body],
      ['stale (6 minutes old)', signBody(t.config.callbackSigningKey, body, now - 360), body],
      ['from the future', signBody(t.config.callbackSigningKey, body, now + 360), body],
      ['tampered body', signBody(t.config.callbackSigningKey, body), body.replace('forged', 'forgeD')],
      ['malformed header', 'v1=abc', body],
    ];
    for (const [label, signature, sent] of cases) {
      const res = await post(photo.id, sent, signature);
      assert.equal(res.status, 401, label);
      assert.match(res.headers['content-type'], PROBLEM, label);
    }
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'pending_upload', 'nothing changed');

    const signed = await post(photo.id, body, signBody(t.config.callbackSigningKey, body, now - 200));
    assert.equal(signed.status, 200, 'a correctly signed report within 5 minutes is accepted');
    assert.deepEqual(signed.body, { photoId: photo.id, status: 'failed', changed: true, proceed: false });
    const failed = await getPhoto(t, auth, animalId, photo.id);
    assert.equal(failed.failureReason, 'forged');

    const again = await post(photo.id, body, signBody(t.config.callbackSigningKey, body));
    assert.deepEqual(again.body, { photoId: photo.id, status: 'failed', changed: false, proceed: false }, 'terminal: acknowledged, unchanged');
  });

  it('scopes reports to the tenant in the signed body: a foreign tenant id does not touch the photo', async () => {
    const photo = await uploadPresigned(t, auth, animalId, 'scoped.jpg', image('orientation_1.jpg'));
    const other = await t.createTenant('clinic');
    const body = JSON.stringify({ status: 'failed', tenantId: other.id, animalId, reason: 'wrong tenant' });
    const res = await post(photo.id, body, signBody(t.config.callbackSigningKey, body));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { photoId: photo.id, status: null, changed: false, proceed: false });
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'pending_upload');

    const invalid = JSON.stringify({ status: 'ready', tenantId: clinic.id, animalId });
    const rejected = await post(photo.id, invalid, signBody(t.config.callbackSigningKey, invalid));
    assert.equal(rejected.status, 400, 'a signed but incomplete report is a validation problem');
    assert.match(rejected.headers['content-type'], PROBLEM);
  });
});
