import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { GetObjectCommand } from '@aws-sdk/client-s3';
import { REPORT_ID_HEADER, SIGNATURE_HEADER } from '#signing';
import { photoReportHeaders, photoResultPath } from '#thumbnails';
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

  /** Posts a report to photoId's callback path with the given headers (signed for whatever they were signed for). */
  const post = (photoId: string, body: string, headers?: Record<string, string>) => {
    const req = t.http().post(photoResultPath(photoId)).set('Content-Type', 'application/json');
    return (headers ? req.set(headers) : req).send(body);
  };
  const signed = (photoId: string, body: string, options?: { reportId?: string; timestamp?: number }) =>
    photoReportHeaders(t.config.callbackSigningKey, photoId, body, options);

  it('handles a duplicate event idempotently: one state change, the same renditions', async () => {
    const bytes = image('orientation_3.jpg');
    const photo = await uploadPresigned(t, auth, animalId, 'twice.jpg', bytes);
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'pending_upload', 'no event delivered yet');
    const event = originalCreatedEvent(t, clinic.id, animalId, photo.id, bytes.length);

    const [first, second] = await Promise.all([t.thumbnails!.handler(event), t.thumbnails!.handler(event)]);
    const outcomes = [first[0], second[0]];
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
    assert.deepEqual(
      before.map((b) => b.length),
      ready.renditions.map((r) => r.bytes),
      'stored renditions are the reported ones',
    );

    const third = await t.thumbnails!.handler(event);
    assert.deepEqual(third, [
      { key: keys.photoOriginal(clinic.id, animalId, photo.id), photoId: photo.id, outcome: 'skipped', why: 'photo is ready' },
    ]);
    const after = await getPhoto(t, auth, animalId, photo.id);
    assert.equal(after.updatedAt, ready.updatedAt, 'no further change');
    assert.equal(after.processedAt, ready.processedAt);
    assert.deepEqual(
      after.renditions.map((r) => [r.name, r.width, r.height, r.bytes]),
      ready.renditions.map((r) => [r.name, r.width, r.height, r.bytes]),
    );
    assert.ok(
      (await stored()).every((b, i) => b.equals(before[i])),
      'same bytes',
    );
    s3.destroy();
  });

  it('ignores keys that are not photo originals, other buckets and removals', async () => {
    const event = originalCreatedEvent(t, clinic.id, animalId, '5b7c3e7e-57a1-4c59-9c83-6a2f4f3b9d10', 10);
    const record = event.Records[0];
    const variants = [
      { ...record, s3: { ...record.s3, object: { ...record.s3.object, key: `tenants/${clinic.id}/jobs/x/raw/y` } } },
      { ...record, s3: { ...record.s3, bucket: { ...record.s3.bucket, name: t.config.s3.buckets.processed } } },
      { ...record, eventName: 'ObjectRemoved:Delete' },
    ];
    const outcomes = await t.thumbnails!.handler({ Records: variants });
    assert.deepEqual(
      outcomes.map((o) => o.outcome),
      ['ignored', 'ignored', 'ignored'],
    );
  });

  it('acknowledges and drops an event for an unknown or deleted photo, removing the orphaned upload', async () => {
    const bytes = image('orientation_1.jpg');
    const photo = await uploadPresigned(t, auth, animalId, 'deleted.jpg', bytes);
    await t.http().delete(`/v1/animals/${animalId}/photos/${photo.id}`).set('Authorization', auth).expect(204);
    // A client still holding the presigned URL uploads after the delete.
    const s3 = createS3Client({ endpoint: t.s3.endpoint, region: 'us-east-1', forcePathStyle: true });
    const { PutObjectCommand } = await import('@aws-sdk/client-s3');
    await s3.send(
      new PutObjectCommand({ Bucket: t.config.s3.buckets.uploads, Key: keys.photoOriginal(clinic.id, animalId, photo.id), Body: bytes }),
    );
    const outcomes = await t.thumbnails!.handler(originalCreatedEvent(t, clinic.id, animalId, photo.id, bytes.length));
    assert.equal(outcomes[0].outcome, 'skipped');
    const { objectSize } = await import('#storage');
    assert.equal(await objectSize(s3, t.config.s3.buckets.uploads, keys.photoOriginal(clinic.id, animalId, photo.id)), undefined);
    s3.destroy();
  });

  it('rejects forged, stale, unsigned and tampered callbacks with 401 problem+json', async () => {
    const photo = await uploadPresigned(t, auth, animalId, 'target.jpg', image('orientation_1.jpg'));
    const body = JSON.stringify({ status: 'failed', tenantId: clinic.id, animalId, reason: 'forged' });
    const now = Math.floor(Date.now() / 1000);
    const { [REPORT_ID_HEADER]: _id, ...withoutId } = signed(photo.id, body);
    const cases: Array<[string, Record<string, string> | undefined, string]> = [
      ['unsigned', undefined, body],
      ['wrong key', photoReportHeaders('not-the-signing-key-but-long-enough-1234', photo.id, body), body],
      ['stale (6 minutes old)', signed(photo.id, body, { timestamp: now - 360 }), body],
      ['from the future', signed(photo.id, body, { timestamp: now + 360 }), body],
      ['tampered body', signed(photo.id, body), body.replace('forged', 'forgeD')],
      ['malformed header', { ...signed(photo.id, body), [SIGNATURE_HEADER]: 'v1=abc' }, body],
      ['no report id', withoutId, body],
    ];
    for (const [label, headers, sent] of cases) {
      const res = await post(photo.id, sent, headers);
      assert.equal(res.status, 401, label);
      assert.match(res.headers['content-type'], PROBLEM, label);
    }
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'pending_upload', 'nothing changed');

    const accepted = await post(photo.id, body, signed(photo.id, body, { timestamp: now - 200 }));
    assert.equal(accepted.status, 200, 'a correctly signed report within 5 minutes is accepted');
    assert.deepEqual(accepted.body, { photoId: photo.id, status: 'failed', changed: true, proceed: false });
    const failed = await getPhoto(t, auth, animalId, photo.id);
    assert.equal(failed.failureReason, 'forged');

    const again = await post(photo.id, body, signed(photo.id, body));
    assert.deepEqual(
      again.body,
      { photoId: photo.id, status: 'failed', changed: false, proceed: false },
      'terminal: acknowledged, unchanged',
    );
  });

  it('scopes reports to the tenant in the signed body: a foreign tenant id does not touch the photo', async () => {
    const photo = await uploadPresigned(t, auth, animalId, 'scoped.jpg', image('orientation_1.jpg'));
    const other = await t.createTenant('clinic');
    const body = JSON.stringify({ status: 'failed', tenantId: other.id, animalId, reason: 'wrong tenant' });
    const res = await post(photo.id, body, signed(photo.id, body));
    assert.equal(res.status, 200);
    assert.deepEqual(res.body, { photoId: photo.id, status: null, changed: false, proceed: false });
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'pending_upload');

    const invalid = JSON.stringify({ status: 'ready', tenantId: clinic.id, animalId });
    const rejected = await post(photo.id, invalid, signed(photo.id, invalid));
    assert.equal(rejected.status, 400, 'a signed but incomplete report is a validation problem');
    assert.match(rejected.headers['content-type'], PROBLEM);
  });

  it('refuses a captured report replayed against a sibling photo, or replayed at all', async () => {
    const photo = await uploadPresigned(t, auth, animalId, 'first.jpg', image('orientation_1.jpg'));
    const sibling = await uploadPresigned(t, auth, animalId, 'sibling.jpg', image('orientation_1.jpg'));
    // A genuine `failed` report for the first photo; its body names only the tenant and the animal,
    // which the sibling shares.
    const body = JSON.stringify({ status: 'failed', tenantId: clinic.id, animalId, reason: 'not an image' });
    const captured = signed(photo.id, body);

    const moved = await post(sibling.id, body, captured);
    assert.equal(moved.status, 401, 'the signature covers the path, hence the photo id');
    assert.match(moved.headers['content-type'], PROBLEM);
    assert.equal((await getPhoto(t, auth, animalId, sibling.id)).status, 'pending_upload', 'the sibling is untouched');

    const first = await post(photo.id, body, captured);
    assert.equal(first.status, 200, 'the original delivery is accepted once');
    const replayed = await post(photo.id, body, captured);
    assert.equal(replayed.status, 401, 'the same report id is accepted only once');
    assert.match(replayed.body.detail, /already received/);
  });
});
