import { GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { S3Event, S3EventRecord } from 'aws-lambda';
import { ImageRejectedError, renderClinicPhoto, type RenderClinicPhotoResult } from '#imaging';
import { createS3Client, keys, parsePhotoOriginalKey, PHOTO_MAX_BYTES } from '#storage';
import type { ThumbnailConfig } from '#config';
import type { PhotoReport, ReportedRendition } from './photo-report.js';
import { sendReport } from './report-client.js';

export type RecordOutcome =
  | { key: string; outcome: 'ignored'; why: string }
  | { key: string; photoId: string; outcome: 'skipped'; why: string }
  | { key: string; photoId: string; outcome: 'ready' | 'failed'; changed: boolean };

export type Log = (level: 'info' | 'warn' | 'error', message: string, fields?: Record<string, unknown>) => void;

export interface ThumbnailDeps {
  s3?: S3Client;
  log?: Log;
}

/** One JSON line per entry; fields never include URLs or secrets. */
const jsonLog: Log = (level, message, fields = {}) => {
  const line = JSON.stringify({ level, message, ...fields, time: new Date().toISOString() });
  if (level === 'info') console.log(line);
  else console.error(line);
};

const EXTENSIONS: Record<string, string> = { jpeg: 'jpg', webp: 'webp', png: 'png', avif: 'avif' };
const UNREADABLE = 'the image could not be processed';

/** S3 event keys are URL-encoded, with `+` for spaces. */
export function decodeEventKey(raw: string): string {
  return decodeURIComponent(raw.replace(/\+/g, ' '));
}

/**
 * The S3 → Lambda handler: for every photo original created in the uploads bucket, renders the
 * clinic renditions into the processed bucket and reports to the API. Re-running an event writes
 * identical objects and the API ignores repeated results, so duplicate deliveries are harmless.
 * Transient failures (S3, the API unreachable) throw so that the invocation is retried; an image
 * that cannot be rendered is reported `failed` with a readable reason instead.
 */
export function createThumbnailHandler(config: ThumbnailConfig, deps: ThumbnailDeps = {}): (event: S3Event) => Promise<RecordOutcome[]> {
  const s3 = deps.s3 ?? createS3Client(config.s3);
  const log = deps.log ?? jsonLog;
  const report = (photoId: string, body: PhotoReport) =>
    sendReport({ apiUrl: config.apiUrl, signingKey: config.signingKey, timeoutMs: config.callbackTimeoutMs }, photoId, body);

  async function render(input: Buffer): Promise<RenderClinicPhotoResult | { reason: string }> {
    try {
      return await renderClinicPhoto(input, { maxPixels: config.maxPixels });
    } catch (error) {
      if (error instanceof ImageRejectedError) return { reason: error.message };
      log('error', 'rendering failed unexpectedly', { error: (error as Error).message });
      return { reason: UNREADABLE };
    }
  }

  async function processRecord(record: S3EventRecord): Promise<RecordOutcome> {
    const key = decodeEventKey(record.s3.object.key);
    if (!record.eventName.startsWith('ObjectCreated:')) return { key, outcome: 'ignored', why: record.eventName };
    if (record.s3.bucket.name !== config.buckets.uploads) return { key, outcome: 'ignored', why: 'not the uploads bucket' };
    const ref = parsePhotoOriginalKey(key);
    if (!ref) return { key, outcome: 'ignored', why: 'not a photo original' };
    const { tenantId, animalId, photoId } = ref;
    const fields = { tenantId, animalId, photoId };

    const seen = await report(photoId, { status: 'processing', tenantId, animalId });
    if (!seen.proceed) {
      log('info', 'photo needs no processing', { ...fields, status: seen.status });
      return { key, photoId, outcome: 'skipped', why: seen.status === null ? 'unknown photo' : `photo is ${seen.status}` };
    }

    let result: RenderClinicPhotoResult | { reason: string };
    if ((record.s3.object.size ?? 0) > PHOTO_MAX_BYTES) {
      result = { reason: `the file is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB` };
    } else {
      const input = await download(s3, config.buckets.uploads, key);
      if (!input) {
        log('warn', 'original is gone', fields);
        return { key, photoId, outcome: 'skipped', why: 'original is gone' };
      }
      result =
        input.length > PHOTO_MAX_BYTES ? { reason: `the file is larger than ${PHOTO_MAX_BYTES / 1024 / 1024} MB` } : await render(input);
    }

    if ('reason' in result) {
      const ack = await report(photoId, { status: 'failed', tenantId, animalId, reason: result.reason });
      log('info', 'photo failed', { ...fields, reason: result.reason, changed: ack.changed });
      return { key, photoId, outcome: 'failed', changed: ack.changed };
    }

    const renditions: ReportedRendition[] = await Promise.all(
      result.renditions.map(async (r) => {
        const target = keys.photoRendition(tenantId, animalId, photoId, r.name, EXTENSIONS[r.format] ?? r.format);
        await s3.send(
          new PutObjectCommand({
            Bucket: config.buckets.processed,
            Key: target,
            Body: r.data,
            ContentType: r.contentType,
            ContentLength: r.bytes,
          }),
        );
        return {
          name: r.name,
          format: r.format,
          contentType: r.contentType,
          width: r.width,
          height: r.height,
          bytes: r.bytes,
          key: target,
        };
      }),
    );
    const ack = await report(photoId, { status: 'ready', tenantId, animalId, original: result.original, renditions });
    log('info', 'photo ready', { ...fields, changed: ack.changed });
    return { key, photoId, outcome: 'ready', changed: ack.changed };
  }

  return async (event: S3Event) => {
    const outcomes: RecordOutcome[] = [];
    const errors: unknown[] = [];
    for (const record of event.Records ?? []) {
      try {
        outcomes.push(await processRecord(record));
      } catch (error) {
        log('error', 'record failed; the invocation will be retried', { error: (error as Error).message });
        errors.push(error);
      }
    }
    if (errors.length > 0) throw errors.length === 1 ? errors[0] : new AggregateError(errors, `${errors.length} records failed`);
    return outcomes;
  };
}

/** The object's bytes, or undefined when it no longer exists. */
async function download(s3: S3Client, bucket: string, key: string): Promise<Buffer | undefined> {
  try {
    const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    const bytes = await object.Body!.transformToByteArray();
    return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  } catch (error) {
    if (
      (error as { name?: string }).name === 'NoSuchKey' ||
      (error as { $metadata?: { httpStatusCode?: number } }).$metadata?.httpStatusCode === 404
    )
      return undefined;
    throw error;
  }
}
