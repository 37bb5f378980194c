/**
 * Module tier: adding and reading clinic photos over HTTP. PhotosService is real, because the
 * up-front rules live there (declared type 415, declared size 413, the clean-up of a refused
 * stream); its repository, storage and the animal lookup are fakes. The S3 event, the Lambda and
 * what lands in the buckets stay in test/clinic/photos.test.ts.
 */
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { PhotoEntity } from '#database';
import { PHOTO_MAX_BYTES } from '#storage';
import { AnimalsService } from '../../apps/api/src/animals/animals.service.js';
import { PhotoStorage } from '../../apps/api/src/animals/photo-storage.js';
import { PhotosController } from '../../apps/api/src/animals/photos.controller.js';
import { PhotosRepository } from '../../apps/api/src/animals/photos.repository.js';
import { PhotosService } from '../../apps/api/src/animals/photos.service.js';
import { assertProblem, type Fake, type ModuleTier, multipartFile, startModuleTier } from '../support/module-tier.js';

const ANIMAL = '9b2f3c1e-8d4a-4b6e-9f10-2a3b4c5d6e7f';
const PHOTO = '1c9e8a70-5b3d-4f2a-8e61-0d7c2b4a9f35';
const PHOTOS = `/v1/animals/${ANIMAL}/photos`;
const JPEG = Buffer.from([0xff, 0xd8, 0xff, 0xe0, ...Buffer.alloc(60, 0x11), 0xff, 0xd9]);

function photoRow(tenantId: string, values: Partial<PhotoEntity>): PhotoEntity {
  const at = new Date('2026-01-01T00:00:00.000Z');
  return {
    id: PHOTO,
    tenantId,
    animalId: ANIMAL,
    status: 'pending_upload',
    uploadMethod: 'presigned',
    filename: 'dog.jpg',
    contentType: 'image/jpeg',
    bytes: null,
    failureReason: null,
    originalFormat: null,
    originalWidth: null,
    originalHeight: null,
    takenAt: null,
    renditions: [],
    createdAt: at,
    updatedAt: at,
    processedAt: null,
    ...values,
  };
}

describe('module tier: clinic photos', () => {
  let tier: ModuleTier;
  let repository: Fake<PhotosRepository>;
  let storage: Fake<PhotoStorage>;
  let clinic: string;

  before(async () => {
    tier = await startModuleTier({ controllers: [PhotosController], providers: [PhotosService] });
    tier.fake(AnimalsService).on('assertExists', async () => undefined);
    repository = tier.fake(PhotosRepository);
    repository
      .on('create', async (ctx, values) => photoRow(ctx.tenantId, { ...values, status: 'pending_upload' }))
      .on('markUploaded', async () => undefined)
      .on('findOne', async (ctx) => photoRow(ctx.tenantId, { status: 'processing', uploadMethod: 'multipart' }))
      .on('delete', async () => true)
      .on('list', async () => []);
    storage = tier.fake(PhotoStorage);
    storage
      .on('presignOriginalPut', async (_at, contentType, bytes) => ({
        method: 'PUT' as const,
        url: 'https://uploads.example/original?X-Amz-Signature=x',
        headers: { 'Content-Type': contentType, 'Content-Length': String(bytes) },
        expiresAt: new Date(Date.now() + 900_000),
      }))
      .on('streamOriginal', async (_at, stream) => {
        let bytes = 0;
        for await (const chunk of stream) bytes += (chunk as Buffer).length;
        return bytes;
      })
      .on('deletePhoto', async () => undefined);
    clinic = tier.keys.issue('clinic').authorization;
  });
  after(async () => {
    await tier.close();
  });
  beforeEach(() => tier.resetCalls());

  const declare = (body: unknown, authorization = clinic) => tier.request({ method: 'POST', url: PHOTOS, authorization, body });
  const upload = (file: { filename: string; contentType: string; data: Buffer | number }) => {
    const { body, headers } = multipartFile('file', file);
    return tier.request({ method: 'POST', url: PHOTOS, authorization: clinic, headers, body });
  };

  describe('JSON declaration (presigned upload)', () => {
    it('answers 201 with a PUT bound to the normalised type and the declared size, 50 MB included', async () => {
      const res = await declare({ contentType: 'Image/JPEG; charset=binary', filename: 'dog.jpg', bytes: PHOTO_MAX_BYTES });
      assert.equal(res.status, 201, res.text);
      assert.equal(res.body.photo.status, 'pending_upload');
      assert.deepEqual(res.body.upload.headers, { 'Content-Type': 'image/jpeg', 'Content-Length': String(PHOTO_MAX_BYTES) });
      const [[, values]] = repository.callsTo('create');
      assert.deepEqual(values, {
        animalId: ANIMAL,
        uploadMethod: 'presigned',
        filename: 'dog.jpg',
        contentType: 'image/jpeg',
        bytes: PHOTO_MAX_BYTES,
      });
    });

    it('answers 415 for a type that is not an accepted image, before touching anything', async () => {
      for (const contentType of ['application/pdf', 'image/svg+xml', 'image/x-canon-cr2', 'text/plain']) {
        const res = await declare({ contentType, filename: 'x', bytes: 10 });
        assertProblem(res, 415, { slug: 'unsupported-media-type' });
        assert.match(res.body.detail, /image\/jpeg/);
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 413 beyond 50 MB up front, before touching anything', async () => {
      const res = await declare({ contentType: 'image/jpeg', filename: 'x.jpg', bytes: PHOTO_MAX_BYTES + 1 });
      assertProblem(res, 413, { slug: 'payload-too-large' });
      assert.match(res.body.detail, /50 MB/);
      assert.deepEqual(tier.calls(), []);
    });

    it('validates the declaration, naming each field, before the type and size rules', async () => {
      for (const [body, fields] of [
        [{}, ['bytes', 'contentType', 'filename']],
        [{ contentType: 'application/pdf', filename: '', bytes: 0 }, ['bytes', 'filename']],
        [{ contentType: 'image/jpeg', filename: 'a.jpg', bytes: 1.5 }, ['bytes']],
        [{ contentType: 'image/jpeg', filename: 'a.jpg', bytes: '10' }, ['bytes']],
        [{ contentType: 'image/jpeg', filename: 'a\u0000.jpg', bytes: 10 }, ['filename']],
        [{ contentType: 'image/jpeg', filename: 'x'.repeat(201), bytes: 10 }, ['filename']],
        [{ contentType: 'jp', filename: 'a.jpg', bytes: 10 }, ['contentType']],
        [{ contentType: 'image/jpeg', filename: 'a.jpg', bytes: 10, animalId: ANIMAL }, ['animalId']],
      ] as const) {
        assertProblem(await declare(body), 400, { slug: 'validation-error', fields: [...fields] });
      }
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('multipart upload (streamed through the API)', () => {
    it('streams the file to storage and answers 202', async () => {
      const res = await upload({ filename: 'dog.jpg', contentType: 'image/jpeg', data: JPEG });
      assert.equal(res.status, 202, res.text);
      assert.equal(repository.callsTo('create')[0][1].uploadMethod, 'multipart');
      assert.equal(repository.callsTo('markUploaded')[0][3], JPEG.length);
    });

    it('answers 415 for a file that is not an image, without a row', async () => {
      const res = await upload({ filename: 'a.txt', contentType: 'text/plain', data: Buffer.from('hello') });
      assertProblem(res, 415, { slug: 'unsupported-media-type' });
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 413 beyond 50 MB and discards the row and whatever reached storage', async () => {
      const res = await upload({ filename: 'big.jpg', contentType: 'image/jpeg', data: PHOTO_MAX_BYTES + 1 });
      assertProblem(res, 413, { slug: 'payload-too-large' });
      const created = repository.callsTo('create');
      assert.equal(created.length, 1);
      assert.deepEqual(repository.callsTo('delete')[0].slice(1), [ANIMAL, PHOTO]);
      assert.deepEqual(storage.callsTo('deletePhoto')[0][0], { tenantId: created[0][0].tenantId, animalId: ANIMAL, photoId: PHOTO });
      assert.deepEqual(repository.callsTo('markUploaded'), [], 'never marked uploaded');
    });

    it('answers 400 naming `file` when the form carries no file', async () => {
      const boundary = 'revela-test';
      const body = `--${boundary}\r\nContent-Disposition: form-data; name="note"\r\n\r\nhello\r\n--${boundary}--\r\n`;
      const res = await tier.request({
        method: 'POST',
        url: PHOTOS,
        authorization: clinic,
        headers: { 'content-type': `multipart/form-data; boundary=${boundary}` },
        body,
      });
      assertProblem(res, 400, { fields: ['file'] });
      assert.deepEqual(tier.calls(), []);
    });
  });

  describe('reading, ids and access', () => {
    it('pages with limit 1-100 and a valid cursor only', async () => {
      assert.equal((await tier.request({ method: 'GET', url: PHOTOS, authorization: clinic, query: { limit: 100 } })).status, 200);
      assert.deepEqual(repository.callsTo('list')[0].slice(1), [ANIMAL, 101, undefined]);
      tier.resetCalls();
      for (const [query, field] of [
        [{ limit: 0 }, 'limit'],
        [{ limit: 101 }, 'limit'],
        [{ cursor: 'garbage' }, 'cursor'],
      ] as const) {
        assertProblem(await tier.request({ method: 'GET', url: PHOTOS, authorization: clinic, query }), 400, { fields: [field] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers a malformed animal or photo id with 400 naming the parameter', async () => {
      for (const [method, url, field] of [
        ['GET', '/v1/animals/not-a-uuid/photos', 'animalId'],
        ['POST', '/v1/animals/not-a-uuid/photos', 'animalId'],
        ['GET', `${PHOTOS}/not-a-uuid`, 'photoId'],
        ['DELETE', `${PHOTOS}/not-a-uuid`, 'photoId'],
        ['GET', `/v1/animals/nope/photos/${PHOTO}`, 'animalId'],
      ] as const) {
        const res = await tier.request({
          method,
          url,
          authorization: clinic,
          body: method === 'POST' ? { contentType: 'image/jpeg', filename: 'a.jpg', bytes: 1 } : undefined,
        });
        assertProblem(res, 400, { fields: [field] });
      }
      assert.deepEqual(tier.calls(), []);
    });

    it('answers 401 without a key and 403 to a studio, on every route', async () => {
      const studio = tier.keys.issue('studio').authorization;
      for (const [method, url] of [
        ['POST', PHOTOS],
        ['GET', PHOTOS],
        ['GET', `${PHOTOS}/${PHOTO}`],
        ['DELETE', `${PHOTOS}/${PHOTO}`],
      ] as const) {
        const body = method === 'POST' ? { contentType: 'image/jpeg', filename: 'a.jpg', bytes: 1 } : undefined;
        assertProblem(await tier.request({ method, url, body }), 401, { slug: 'unauthorized' });
        const forbidden = await tier.request({ method, url, authorization: studio, body });
        assertProblem(forbidden, 403, { slug: 'forbidden' });
        assert.match(forbidden.body.detail, /clinic/);
      }
      assert.deepEqual(tier.calls(), []);
    });
  });
});
