import assert from 'node:assert/strict';
import { ListObjectsV2Command } from '@aws-sdk/client-s3';
import type { S3Event } from 'aws-lambda';
import { createS3Client, keys } from '#storage';
import type { TestApp } from '../support/test-app.js';

export const PROBLEM = /^application\/problem\+json/;

export interface PhotoBody {
  id: string;
  animalId: string;
  status: 'pending_upload' | 'processing' | 'ready' | 'failed';
  filename: string;
  contentType: string;
  bytes: number | null;
  failureReason: string | null;
  original: { format: string; width: number; height: number; takenAt: string | null } | null;
  renditions: Array<{ name: string; contentType: string; width: number; height: number; bytes: number; url: string; expiresAt: string }>;
  createdAt: string;
  updatedAt: string;
  processedAt: string | null;
}

// Fixture reading and picture comparison are the renditions library's own test helpers.
export { colourGrid, image, meanAbsDiff } from '../../libs/imaging/src/renditions/spec-helpers.js';

export const CONTENT_TYPES: Record<string, string> = {
  jpg: 'image/jpeg',
  png: 'image/png',
  heic: 'image/heic',
  avif: 'image/avif',
  gif: 'image/gif',
  webp: 'image/webp',
  tif: 'image/tiff',
};

export function contentTypeOf(filename: string): string {
  return CONTENT_TYPES[filename.split('.').pop()!.toLowerCase()] ?? 'application/octet-stream';
}

export async function createAnimal(t: TestApp, auth: string, name = 'Bolinha'): Promise<string> {
  const res = await t
    .http()
    .post('/v1/animals')
    .set('Authorization', auth)
    .send({ name, species: 'dog', tutor: { name: 'Maria Silva' } });
  assert.equal(res.status, 201, res.text);
  return res.body.id as string;
}

/** Asks for a presigned PUT and uploads `bytes` with fetch, exactly as a client would. */
export async function uploadPresigned(
  t: TestApp,
  auth: string,
  animalId: string,
  filename: string,
  bytes: Buffer,
  contentType = contentTypeOf(filename),
): Promise<PhotoBody> {
  const res = await t
    .http()
    .post(`/v1/animals/${animalId}/photos`)
    .set('Authorization', auth)
    .send({ contentType, filename, bytes: bytes.length });
  assert.equal(res.status, 201, res.text);
  const put = await fetch(res.body.upload.url, { method: 'PUT', headers: res.body.upload.headers, body: bytes });
  assert.equal(put.status, 200, await put.text());
  return res.body.photo as PhotoBody;
}

export async function getPhoto(t: TestApp, auth: string, animalId: string, photoId: string): Promise<PhotoBody> {
  const res = await t.http().get(`/v1/animals/${animalId}/photos/${photoId}`).set('Authorization', auth);
  assert.equal(res.status, 200, res.text);
  return res.body as PhotoBody;
}

/** Polls until the photo is ready or failed. */
export async function waitForPhoto(t: TestApp, auth: string, animalId: string, photoId: string, timeoutMs = 60_000): Promise<PhotoBody> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const photo = await getPhoto(t, auth, animalId, photoId);
    if (photo.status === 'ready' || photo.status === 'failed') return photo;
    if (Date.now() > deadline) throw new Error(`photo ${photoId} still ${photo.status} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function download(url: string): Promise<Buffer> {
  const res = await fetch(url);
  assert.equal(res.status, 200);
  return Buffer.from(await res.arrayBuffer());
}

export function rendition(photo: PhotoBody, name: string) {
  const found = photo.renditions.find((r) => r.name === name);
  assert.ok(found, `${photo.filename} has no ${name} rendition`);
  return found;
}

/** Keys stored under a prefix in one of the app's buckets. */
export async function listKeys(t: TestApp, bucket: 'uploads' | 'processed', prefix: string): Promise<string[]> {
  const s3 = createS3Client({ endpoint: t.s3.endpoint, region: 'us-east-1', forcePathStyle: true });
  try {
    const page = await s3.send(new ListObjectsV2Command({ Bucket: t.config.s3.buckets[bucket], Prefix: prefix }));
    return (page.Contents ?? []).map((o) => o.Key!).sort();
  } finally {
    s3.destroy();
  }
}

export function animalPrefix(tenantId: string, animalId: string): string {
  return keys.animalFolder(tenantId, animalId);
}

/** An S3 ObjectCreated:Put event for a photo original, as S3 would deliver it (key URL-encoded). */
export function originalCreatedEvent(t: TestApp, tenantId: string, animalId: string, photoId: string, size: number): S3Event {
  const key = keys.photoOriginal(tenantId, animalId, photoId);
  return {
    Records: [
      {
        eventVersion: '2.1',
        eventSource: 'aws:s3',
        awsRegion: 'us-east-1',
        eventTime: new Date().toISOString(),
        eventName: 'ObjectCreated:Put',
        userIdentity: { principalId: 'test' },
        requestParameters: { sourceIPAddress: '127.0.0.1' },
        responseElements: { 'x-amz-request-id': 'test', 'x-amz-id-2': 'test' },
        s3: {
          s3SchemaVersion: '1.0',
          configurationId: 'thumbnails',
          bucket: {
            name: t.config.s3.buckets.uploads,
            ownerIdentity: { principalId: 'test' },
            arn: `arn:aws:s3:::${t.config.s3.buckets.uploads}`,
          },
          object: { key: encodeURIComponent(key).replace(/%2F/g, '/'), size, eTag: 'etag', sequencer: '0' },
        },
      },
    ],
  };
}

/** Runs `fn` over `items` with at most `limit` in flight, keeping the order of results. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, fn: (item: T, index: number) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const index = next++;
        results[index] = await fn(items[index], index);
      }
    }),
  );
  return results;
}

/**
 * An uncompressed RGB TIFF whose EXIF IFD holds `DateTimeOriginal` ("YYYY:MM:DD HH:MM:SS"), as a
 * scanner or camera writes it (sharp writes no EXIF into a TIFF, so the test builds one).
 */
export function tiffWithDateTimeOriginal(pixels: { width: number; height: number; data: Buffer }, dateTimeOriginal: string): Buffer {
  const SHORT = 3;
  const LONG = 4;
  const ASCII = 2;
  const date = Buffer.from(`${dateTimeOriginal}\0`, 'latin1');
  const ifd0At = 8;
  const ifd0 = [
    [256, LONG, 1, pixels.width], // ImageWidth
    [257, LONG, 1, pixels.height], // ImageLength
    [258, SHORT, 3, 0], // BitsPerSample: 8,8,8 (offset filled below)
    [259, SHORT, 1, 1], // Compression: none
    [262, SHORT, 1, 2], // PhotometricInterpretation: RGB
    [273, LONG, 1, 0], // StripOffsets (filled below)
    [277, SHORT, 1, 3], // SamplesPerPixel
    [278, LONG, 1, pixels.height], // RowsPerStrip
    [279, LONG, 1, pixels.data.length], // StripByteCounts
    [34665, LONG, 1, 0], // ExifIFD (filled below)
  ];
  const exifAt = ifd0At + 2 + ifd0.length * 12 + 4;
  const bitsAt = exifAt + 2 + 12 + 4;
  const dateAt = bitsAt + 6;
  const pixelsAt = dateAt + date.length;
  ifd0[2][3] = bitsAt;
  ifd0[5][3] = pixelsAt;
  ifd0[9][3] = exifAt;
  const out = Buffer.alloc(pixelsAt + pixels.data.length);
  out.write('II', 0, 'latin1');
  out.writeUInt16LE(42, 2);
  out.writeUInt32LE(ifd0At, 4);
  const entry = (at: number, [tag, type, count, value]: number[]) => {
    out.writeUInt16LE(tag, at);
    out.writeUInt16LE(type, at + 2);
    out.writeUInt32LE(count, at + 4);
    if (type === SHORT && count === 1) out.writeUInt16LE(value, at + 8);
    else out.writeUInt32LE(value, at + 8);
  };
  out.writeUInt16LE(ifd0.length, ifd0At);
  ifd0.forEach((e, i) => entry(ifd0At + 2 + i * 12, e));
  out.writeUInt16LE(1, exifAt);
  entry(exifAt + 2, [36867, ASCII, date.length, dateAt]); // DateTimeOriginal
  for (let i = 0; i < 3; i++) out.writeUInt16LE(8, bitsAt + i * 2);
  date.copy(out, dateAt);
  pixels.data.copy(out, pixelsAt);
  return out;
}
