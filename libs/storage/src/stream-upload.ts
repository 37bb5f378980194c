import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';

/** S3's smallest part, two in flight: a streamed upload holds about 10 MiB whatever the file size. */
const PART_BYTES = 5 * 1024 ** 2;
const PARTS_IN_FLIGHT = 2;

/** The body went past the allowed size; nothing was stored. */
export class StreamTooLargeError extends Error {
  constructor(readonly maxBytes: number) {
    super(`the body is larger than ${maxBytes} bytes`);
    this.name = 'StreamTooLargeError';
  }
}

export interface StreamTarget {
  bucket: string;
  key: string;
  contentType: string;
  /** Stop (and store nothing) once the body passes this many bytes. */
  maxBytes?: number;
}

/**
 * Streams `body` to one object as a multipart upload, never holding the whole file, and resolves
 * with the byte count. On any failure (the source erroring, the size limit, S3) the partial upload
 * is aborted and the meaningful error rethrown: the source's, when it failed.
 */
export async function streamToObject(s3: S3Client, target: StreamTarget, body: Readable): Promise<number> {
  let bytes = 0;
  const counter = new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      bytes += chunk.length;
      if (target.maxBytes !== undefined && bytes > target.maxBytes) callback(new StreamTooLargeError(target.maxBytes));
      else callback(null, chunk);
    },
  });
  const upload = new Upload({
    client: s3,
    params: { Bucket: target.bucket, Key: target.key, Body: counter, ContentType: target.contentType },
    partSize: PART_BYTES,
    queueSize: PARTS_IN_FLIGHT,
    leavePartsOnError: false,
  });
  const uploading = upload.done().catch((error: unknown) => {
    counter.destroy(error as Error); // unblocks the pipeline, which would otherwise wait on backpressure
    throw error;
  });
  const [piped, uploaded] = await Promise.allSettled([pipeline(body, counter), uploading]);
  if (piped.status === 'rejected') {
    await upload.abort().catch(() => undefined);
    throw piped.reason;
  }
  if (uploaded.status === 'rejected') throw uploaded.reason;
  return bytes;
}
