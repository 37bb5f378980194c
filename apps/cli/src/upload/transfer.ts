import { createReadStream } from 'node:fs';
import { Readable, Transform } from 'node:stream';
import type { ReadableStream } from 'node:stream/web';
import { type RevelaClient, type Schemas, unwrap } from '#sdk';
import { isNetworkError, retrying } from '../retry.js';

type UploadTarget = Schemas['UploadTargetDto'];
export type OnBytes = (delta: number) => void;

/** The bytes [start, end) of a file as a web stream, counting what is read. */
function slice(file: string, start: number, end: number, onBytes: OnBytes): ReadableStream {
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      onBytes(chunk.length);
      done(null, chunk);
    },
  });
  return Readable.toWeb(createReadStream(file, { start, end: end - 1 }).pipe(counter));
}

/**
 * Retries a network failure or a 5xx from storage with backoff (see retry.ts), taking back the bytes
 * the failed attempt had counted; a refusal (4xx) is final.
 */
function withRetries<T>(attempt: (onBytes: OnBytes) => Promise<T>, onBytes: OnBytes): Promise<T> {
  return retrying(
    async () => {
      let sent = 0;
      try {
        return await attempt((delta) => {
          sent += delta;
          onBytes(delta);
        });
      } catch (error) {
        onBytes(-sent);
        throw error;
      }
    },
    (error) => (error as { retryable?: boolean }).retryable ?? isNetworkError(error),
  );
}

/** One presigned PUT of a byte range; answers the ETag. */
async function put(
  url: string,
  headers: Record<string, string>,
  file: string,
  start: number,
  end: number,
  onBytes: OnBytes,
): Promise<string> {
  const response = await fetch(url, {
    method: 'PUT',
    headers: { ...headers, 'Content-Length': String(end - start) },
    body: slice(file, start, end, onBytes),
    duplex: 'half',
  });
  const text = await response.text();
  if (!response.ok) {
    const reason = /<Message>([^<]*)<\/Message>/.exec(text)?.[1] ?? response.statusText;
    throw Object.assign(new Error(`storage refused the upload (HTTP ${response.status}): ${reason}`), {
      retryable: response.status >= 500,
    });
  }
  return response.headers.get('etag') ?? '';
}

/** One presigned PUT of a whole file, retried on network errors and 5xx. */
export function putFile(url: string, headers: Record<string, string>, file: string, bytes: number, onBytes: OnBytes): Promise<string> {
  return withRetries((count) => put(url, headers, file, 0, bytes, count), onBytes);
}

/**
 * Uploads a declared file to its target: one presigned PUT, or (above 100 MB) presigned part PUTs,
 * two at a time, then `complete` with every part's ETag.
 */
export async function uploadToTarget(
  client: RevelaClient,
  jobId: string,
  fileId: string,
  target: UploadTarget,
  file: string,
  bytes: number,
  onBytes: OnBytes,
): Promise<void> {
  if (target.method === 'PUT') {
    await putFile(target.url!, target.headers, file, bytes, onBytes);
    return;
  }
  const partSize = target.partSize!;
  const parts = target.parts ?? [];
  const etags: Array<{ partNumber: number; etag: string }> = [];
  let next = 0;
  const lane = async () => {
    while (next < parts.length) {
      const part = parts[next++];
      const start = (part.partNumber - 1) * partSize;
      const end = Math.min(bytes, start + partSize);
      const etag = await withRetries((count) => put(part.url, target.headers, file, start, end, count), onBytes);
      etags.push({ partNumber: part.partNumber, etag });
    }
  };
  await Promise.all([lane(), lane()]);
  etags.sort((a, b) => a.partNumber - b.partNumber);
  await unwrap(client.POST('/v1/jobs/{id}/files/{fileId}/complete', { params: { path: { id: jobId, fileId } }, body: { parts: etags } }));
}

/**
 * Streams a declared file through the API (`PUT …/content`). Resuming uses it: it needs no
 * presigned URL, so it works however long ago the file was declared.
 */
export async function uploadThroughApi(
  client: RevelaClient,
  jobId: string,
  fileId: string,
  file: string,
  bytes: number,
  onBytes: OnBytes,
): Promise<void> {
  await withRetries(
    (count) =>
      unwrap(
        client.PUT('/v1/jobs/{id}/files/{fileId}/content', {
          params: { path: { id: jobId, fileId } },
          headers: { 'Content-Type': 'application/octet-stream', 'Content-Length': String(bytes) },
          body: slice(file, 0, bytes, count) as never,
          bodySerializer: (body: unknown) => body as never,
          duplex: 'half',
        } as never),
      ).catch((error: unknown) => {
        const status = (error as { status?: number }).status;
        throw Object.assign(error as Error, { retryable: status === undefined ? isNetworkError(error) : status >= 500 });
      }),
    onBytes,
  );
}
