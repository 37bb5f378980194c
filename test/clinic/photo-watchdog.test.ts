import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import pg from 'pg';
import { createS3Client, keys } from '#storage';
import { PhotoWatchdog } from '../../apps/api/src/animals/photo-watchdog.js';
import { startTestApp, type TestApp } from '../support/test-app.js';
import { createAnimal, getPhoto, image, uploadPresigned } from './photo-helpers.js';

/** Photos never stay `pending_upload`: past PHOTO_UPLOAD_TIMEOUT_SECONDS they fail and their objects go. */
describe('photo watchdog: uploads that never finish', () => {
  let t: TestApp;
  let clinic: { id: string; key: string };
  let auth: string;
  let animalId: string;
  let db: pg.Client;

  before(async () => {
    // Events are never delivered: an uploaded photo stays pending_upload, as when its event is lost.
    t = await startTestApp({}, { thumbnails: 'manual' });
    clinic = await t.createTenant('clinic');
    auth = `Bearer ${clinic.key}`;
    animalId = await createAnimal(t, auth);
    db = new pg.Client({ connectionString: t.database.url });
    await db.connect();
  });
  after(async () => {
    await db.end();
    await t.close();
  });

  it('fails photos pending upload for more than a day with a reason, removes what reached storage, and leaves recent ones', async () => {
    const declared = await t
      .http()
      .post(`/v1/animals/${animalId}/photos`)
      .set('Authorization', auth)
      .send({ contentType: 'image/jpeg', filename: 'never.jpg', bytes: 1000 });
    assert.equal(declared.status, 201);
    const uploaded = await uploadPresigned(t, auth, animalId, 'lost-event.jpg', image('orientation_3.jpg'));
    const recent = await uploadPresigned(t, auth, animalId, 'recent.jpg', image('orientation_3.jpg'));
    const old = [declared.body.photo.id as string, uploaded.id];
    await db.query(
      `UPDATE photos SET created_at = now() - interval '25 hours', updated_at = now() - interval '25 hours' WHERE id = ANY($1::uuid[])`,
      [old],
    );

    assert.equal(await t.app.get(PhotoWatchdog).sweep(), 2);
    for (const id of old) {
      const photo = await getPhoto(t, auth, animalId, id);
      assert.equal(photo.status, 'failed');
      assert.match(photo.failureReason!, /upload did not arrive within 24 h/);
    }
    assert.equal((await getPhoto(t, auth, animalId, recent.id)).status, 'pending_upload');
    const s3 = createS3Client(t.config.s3);
    const left = await s3.send(
      new ListObjectsV2Command({ Bucket: t.config.s3.buckets.uploads, Prefix: keys.animalFolder(clinic.id, animalId) }),
    );
    assert.deepEqual(
      (left.Contents ?? []).map((o) => o.Key),
      [keys.photoOriginal(clinic.id, animalId, recent.id)],
    );
  });
});
