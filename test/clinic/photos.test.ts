import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, it } from 'node:test';
import sharp from 'sharp';
import { keys } from '#storage';
import { startTestApp, type TestApp } from '../support/test-app.js';
import {
  animalPrefix,
  createAnimal,
  download,
  getPhoto,
  image,
  listKeys,
  mapLimit,
  PROBLEM,
  rendition,
  tiffWithDateTimeOriginal,
  uploadPresigned,
  waitForPhoto,
} from './photo-helpers.js';

const MB = 1024 * 1024;

describe('clinic photos (uploads, the S3-triggered Lambda, renditions)', () => {
  let t: TestApp;
  let clinic: { id: string; key: string };
  let auth: string;
  let animalId: string;

  before(async () => {
    t = await startTestApp({}, { thumbnails: true });
    clinic = await t.createTenant('clinic');
    auth = `Bearer ${clinic.key}`;
    animalId = await createAnimal(t, auth);
  });
  after(async () => {
    await t.close();
  });

  it('presigned PUT: the upload event runs the Lambda and the photo becomes ready with signed renditions', async () => {
    const original = image('progressive_6000x4000.jpg');
    const res = await t
      .http()
      .post(`/v1/animals/${animalId}/photos`)
      .set('Authorization', auth)
      .send({ contentType: 'image/jpeg', filename: 'dog.jpg', bytes: original.length });
    assert.equal(res.status, 201, res.text);
    const { photo, upload } = res.body;
    assert.equal(photo.status, 'pending_upload');
    assert.deepEqual(photo.renditions, []);
    assert.equal(upload.method, 'PUT');
    assert.deepEqual(upload.headers, { 'Content-Type': 'image/jpeg', 'Content-Length': String(original.length) });
    // S3 refuses a PUT whose Content-Type or Content-Length differ from these, because the URL signs
    // both headers. s3rver checks no signature, so what is asserted is that they are signed.
    assert.deepEqual(new URL(upload.url).searchParams.get('X-Amz-SignedHeaders')?.split(';').sort(), [
      'content-length',
      'content-type',
      'host',
    ]);
    const ttl = Date.parse(upload.expiresAt) - Date.now();
    assert.ok(ttl > 0 && ttl <= 15 * 60 * 1000, 'valid 15 minutes at most');
    assert.ok(new URL(upload.url).pathname.endsWith(keys.photoOriginal(clinic.id, animalId, photo.id)));

    const put = await fetch(upload.url, { method: 'PUT', headers: upload.headers, body: original });
    assert.equal(put.status, 200);
    const ready = await waitForPhoto(t, auth, animalId, photo.id);
    assert.equal(ready.status, 'ready', ready.failureReason ?? '');
    assert.equal(ready.failureReason, null);
    assert.deepEqual(ready.original, { format: 'jpeg', width: 6000, height: 4000, takenAt: null });
    assert.ok(ready.processedAt);
    assert.deepEqual(
      ready.renditions.map((r) => [r.name, r.contentType, r.width, r.height]),
      [
        ['thumb', 'image/webp', 160, 160],
        ['small', 'image/webp', 480, 320],
        ['large', 'image/jpeg', 1600, 1067],
      ],
    );
    for (const r of ready.renditions) {
      const ttlMs = Date.parse(r.expiresAt) - Date.now();
      assert.ok(ttlMs > 0 && ttlMs <= 15 * 60 * 1000);
      const bytes = await download(r.url);
      assert.equal(bytes.length, r.bytes);
      const meta = await sharp(bytes).metadata();
      assert.deepEqual([meta.format, meta.width, meta.height], [r.contentType === 'image/jpeg' ? 'jpeg' : 'webp', r.width, r.height]);
    }
    const processed = await listKeys(t, 'processed', keys.photoFolder(clinic.id, animalId, photo.id));
    assert.equal(processed.length, 3);

    const listed = await t.http().get(`/v1/animals/${animalId}/photos`).set('Authorization', auth);
    assert.equal(listed.status, 200);
    const item = listed.body.items.find((p: { id: string }) => p.id === photo.id);
    assert.equal(item.renditions.length, 3);
    assert.match(item.renditions[0].url, /X-Amz-Signature=/);
  });

  it('multipart: the file streams through the API, answers 202 processing, then becomes ready', async () => {
    const original = image('orientation_6.jpg');
    const res = await t
      .http()
      .post(`/v1/animals/${animalId}/photos`)
      .set('Authorization', auth)
      .attach('file', original, { filename: 'rotated.jpg', contentType: 'image/jpeg' });
    assert.equal(res.status, 202, res.text);
    assert.ok(['processing', 'ready'].includes(res.body.status), res.body.status);
    assert.equal(res.body.bytes, original.length);
    assert.equal(res.body.filename, 'rotated.jpg');
    const stored = await listKeys(t, 'uploads', keys.photoOriginal(clinic.id, animalId, res.body.id));
    assert.equal(stored.length, 1);
    const ready = await waitForPhoto(t, auth, animalId, res.body.id);
    assert.equal(ready.status, 'ready', ready.failureReason ?? '');
    // Stored 1200x1800 with EXIF orientation 6: upright it is 1800x1200.
    assert.deepEqual(ready.original, { format: 'jpeg', width: 1800, height: 1200, takenAt: null });
    const large = rendition(ready, 'large');
    assert.deepEqual([large.width, large.height], [1600, 1067]);
  });

  it('takes TIFF and WebP photos, and reads takenAt from EXIF (JPEG, TIFF, WebP)', async () => {
    // No TIFF or WebP among the shared fixtures: both are made from one, each with a DateTimeOriginal.
    const dated = (date: string) =>
      sharp(image('orientation_1.jpg'))
        .resize(900)
        .withExif({ IFD2: { DateTimeOriginal: date } });
    const { data, info } = await sharp(image('orientation_1.jpg')).resize(900).removeAlpha().raw().toBuffer({ resolveWithObject: true });
    const cases = [
      {
        filename: 'scan.tif',
        bytes: tiffWithDateTimeOriginal({ width: info.width, height: info.height, data }, '2023:02:03 04:05:06'),
        format: 'tiff',
        takenAt: '2023-02-03T04:05:06.000Z',
      },
      {
        filename: 'phone.webp',
        bytes: await dated('2024:07:08 09:10:11').webp({ quality: 90 }).toBuffer(),
        format: 'webp',
        takenAt: '2024-07-08T09:10:11.000Z',
      },
      // A camera JPEG with its own EXIF date (and sub-seconds).
      { filename: 'camera.jpg', bytes: image('adobe_rgb_1998.jpg'), format: 'jpeg', takenAt: '2018-10-27T13:27:23.530Z' },
    ];
    const uploaded = await mapLimit(cases, 2, (c) => uploadPresigned(t, auth, animalId, c.filename, c.bytes));
    assert.deepEqual(
      uploaded.map((p) => p.contentType),
      ['image/tiff', 'image/webp', 'image/jpeg'],
    );
    for (const [i, c] of cases.entries()) {
      const photo = await waitForPhoto(t, auth, animalId, uploaded[i].id);
      assert.equal(photo.status, 'ready', `${c.filename}: ${photo.failureReason}`);
      assert.equal(photo.original?.format, c.format, c.filename);
      assert.equal(photo.original?.takenAt, c.takenAt, `${c.filename}: takenAt from EXIF`);
      assert.deepEqual(
        photo.renditions.map((r) => r.name),
        ['thumb', 'small', 'large'],
        c.filename,
      );
      const large = await sharp(await download(rendition(photo, 'large').url)).metadata();
      assert.equal(large.format, 'jpeg', c.filename);
      assert.equal(large.width, c.format === 'jpeg' ? 1600 : 900, `${c.filename}: large is never enlarged`);
    }
  });

  it('fails unreadable files with readable reasons while other photos keep working', async () => {
    const good = image('orientation_1.jpg');
    const cases: Array<[string, Buffer, RegExp]> = [
      ['truncated.jpg', image('truncated_10000_bytes.jpg'), /truncated or corrupt/],
      ['giant.jpg', image('giant_20000x14000.jpg'), /280 megapixels.*limit/],
      ['notes.jpg', Buffer.from('These are the vet’s notes, not a photo.\n'.repeat(20)), /not a supported image \(detected: text\)/],
    ];
    const uploads = await mapLimit(
      [...cases.map(([name, bytes]) => ({ name, bytes })), { name: 'fine.jpg', bytes: good }],
      2,
      ({ name, bytes }) => uploadPresigned(t, auth, animalId, name, bytes, 'image/jpeg'),
    );
    const finished = await Promise.all(uploads.map((p) => waitForPhoto(t, auth, animalId, p.id)));
    for (const [i, [name, , reason]] of cases.entries()) {
      assert.equal(finished[i].status, 'failed', name);
      assert.match(finished[i].failureReason ?? '', reason, name);
      assert.deepEqual(finished[i].renditions, []);
      assert.equal(finished[i].original, null);
    }
    assert.equal(finished[3].status, 'ready');
    assert.equal(finished[3].renditions.length, 3);
  });

  it('a multipart upload cut off mid-stream leaves no row and no object', async () => {
    const target = await createAnimal(t, auth, 'Cut off');
    const boundary = 'revela-test-boundary';
    const head = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="cut.jpg"\r\nContent-Type: image/jpeg\r\n\r\n`,
    );
    const url = new URL(`${t.baseUrl}/v1/animals/${target}/photos`);
    const req = httpRequest(url, {
      method: 'POST',
      headers: {
        authorization: auth,
        'content-type': `multipart/form-data; boundary=${boundary}`,
        'content-length': String(head.length + 12 * MB + 100),
      },
    });
    const ended = new Promise<void>((resolve) => {
      req.on('error', () => resolve());
      req.on('close', () => resolve());
    });
    req.write(head);
    req.write(Buffer.alloc(7 * MB, 0xab));
    // The upload is under way: its row exists (pending_upload) while the bytes stream to storage.
    const started = Date.now();
    let inFlight: Array<{ status: string }> = [];
    while (inFlight.length === 0 && Date.now() - started < 10_000) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      inFlight = (await t.http().get(`/v1/animals/${target}/photos`).set('Authorization', auth)).body.items;
    }
    assert.deepEqual(
      inFlight.map((p) => p.status),
      ['pending_upload'],
      'the streamed upload had started',
    );
    req.destroy();
    await ended;
    const deadline = Date.now() + 10_000;
    let rows: unknown[];
    let objects: string[];
    do {
      await new Promise((resolve) => setTimeout(resolve, 200));
      rows = (await t.http().get(`/v1/animals/${target}/photos`).set('Authorization', auth)).body.items;
      objects = await listKeys(t, 'uploads', animalPrefix(clinic.id, target));
    } while ((rows.length > 0 || objects.length > 0) && Date.now() < deadline);
    assert.deepEqual(rows, []);
    assert.deepEqual(objects, []);
  });

  it('deleting a photo or an animal removes rows and stored objects in both buckets', async () => {
    const target = await createAnimal(t, auth, 'Short-lived');
    const photos = await mapLimit(['orientation_1.jpg', 'orientation_2.jpg'], 2, (name) =>
      uploadPresigned(t, auth, target, name, image(name)),
    );
    for (const p of photos) assert.equal((await waitForPhoto(t, auth, target, p.id)).status, 'ready');
    const prefix = animalPrefix(clinic.id, target);
    assert.equal((await listKeys(t, 'uploads', prefix)).length, 2);
    assert.equal((await listKeys(t, 'processed', prefix)).length, 6);

    await t.http().delete(`/v1/animals/${target}/photos/${photos[0].id}`).set('Authorization', auth).expect(204);
    assert.equal((await t.http().get(`/v1/animals/${target}/photos/${photos[0].id}`).set('Authorization', auth)).status, 404);
    assert.equal((await listKeys(t, 'uploads', prefix)).length, 1);
    assert.equal((await listKeys(t, 'processed', prefix)).length, 3);

    await t.http().delete(`/v1/animals/${target}`).set('Authorization', auth).expect(204);
    assert.deepEqual(await listKeys(t, 'uploads', prefix), []);
    assert.deepEqual(await listKeys(t, 'processed', prefix), []);
    assert.equal((await t.http().get(`/v1/animals/${target}/photos/${photos[1].id}`).set('Authorization', auth)).status, 404);
  });

  it('keeps photos private to their clinic: 404 for another tenant, 403 for a studio', async () => {
    const photo = await uploadPresigned(t, auth, animalId, 'private.jpg', image('orientation_1.jpg'));
    await waitForPhoto(t, auth, animalId, photo.id);
    const other = await t.createTenant('clinic');
    const otherAnimal = await createAnimal(t, `Bearer ${other.key}`, 'Theirs');
    const paths = [
      `/v1/animals/${animalId}/photos/${photo.id}`,
      `/v1/animals/${otherAnimal}/photos/${photo.id}`,
      `/v1/animals/${animalId}/photos`,
    ];
    for (const path of paths) {
      const res = await t.http().get(path).set('Authorization', `Bearer ${other.key}`);
      assert.equal(res.status, 404, path);
      assert.match(res.headers['content-type'], PROBLEM);
    }
    const del = await t.http().delete(`/v1/animals/${animalId}/photos/${photo.id}`).set('Authorization', `Bearer ${other.key}`);
    assert.equal(del.status, 404);
    const post = await t
      .http()
      .post(`/v1/animals/${animalId}/photos`)
      .set('Authorization', `Bearer ${other.key}`)
      .send({ contentType: 'image/jpeg', filename: 'x.jpg', bytes: 10 });
    assert.equal(post.status, 404);
    assert.equal((await getPhoto(t, auth, animalId, photo.id)).status, 'ready', 'untouched');

    const studio = await t.createTenant('studio');
    const forbidden = await t.http().get(`/v1/animals/${animalId}/photos/${photo.id}`).set('Authorization', `Bearer ${studio.key}`);
    assert.equal(forbidden.status, 403);
    assert.match(forbidden.headers['content-type'], PROBLEM);
  });
});
