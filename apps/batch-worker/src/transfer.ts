import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import type { PresignedTarget } from '#worker-protocol';

const ATTEMPTS = 5;
const BACKOFF_MS = 500;

/** S3 answered for good (403 expired URL, 404): retrying the same URL would not help. */
export class TransferRefusedError extends Error {}

/** Retries a presigned transfer when S3 is unreachable or answers 5xx (503 SlowDown included). */
async function withRetries<T>(what: string, run: () => Promise<T>): Promise<T> {
  let lastError: unknown;
  for (let attempt = 1; attempt <= ATTEMPTS; attempt += 1) {
    try {
      return await run();
    } catch (error) {
      if (error instanceof TransferRefusedError) throw error;
      lastError = error;
    }
    if (attempt < ATTEMPTS) await sleep(BACKOFF_MS * 2 ** (attempt - 1));
  }
  throw new Error(`${what} failed after ${ATTEMPTS} attempts: ${(lastError as Error).message}`);
}

function check(response: Response, what: string): void {
  if (response.ok) return;
  const message = `${what} answered ${response.status}`;
  if (response.status >= 500 || response.status === 429) throw new Error(message);
  throw new TransferRefusedError(message);
}

/** Streams the object behind a presigned GET to a local file. */
export function downloadTo(source: PresignedTarget, target: string): Promise<void> {
  return withRetries('downloading the RAW', async () => {
    const response = await fetch(source.url, { headers: source.headers });
    check(response, 'the RAW download');
    if (!response.body) throw new Error('the RAW download has no body');
    await pipeline(Readable.fromWeb(response.body), createWriteStream(target));
  });
}

/** PUTs bytes to a presigned URL; answers the ETag S3 gave them. */
export function upload(target: PresignedTarget, body: Buffer, what: string): Promise<string> {
  return withRetries(what, async () => {
    const response = await fetch(target.url, { method: 'PUT', headers: target.headers, body });
    check(response, what);
    await response.arrayBuffer();
    return response.headers.get('etag') ?? '';
  });
}

/** A presigned GET as a stream (archive entries). */
export async function openStream(source: PresignedTarget, what: string): Promise<Readable> {
  return withRetries(what, async () => {
    const response = await fetch(source.url, { headers: source.headers });
    check(response, what);
    if (!response.body) throw new Error(`${what} has no body`);
    return Readable.fromWeb(response.body);
  });
}
