import { createWriteStream } from 'node:fs';
import { rename } from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type RevelaClient, unwrap } from '#sdk';
import { isNetworkError, retrying } from '../retry.js';

/**
 * Downloads the job's ZIP (a presigned link the API hands out) into `folder`, under the name the
 * API gives it; answers its path, or null when no file succeeded (no archive).
 */
export async function downloadArchive(client: RevelaClient, jobId: string, folder: string): Promise<string | null> {
  const links = await unwrap(client.GET('/v1/jobs/{id}/download', { params: { path: { id: jobId } } }));
  if (!links.archive) return null;
  const target = path.join(folder, path.basename(links.archive.filename));
  const partial = `${target}.part`;
  const url = links.archive.url;
  await retrying(
    async () => {
      const response = await fetch(url);
      if (!response.ok || !response.body)
        throw Object.assign(new Error(`The ZIP download failed (HTTP ${response.status}).`), { retryable: response.status >= 500 });
      // A cut connection rejects here too; the next attempt writes the file afresh.
      await pipeline(Readable.fromWeb(response.body), createWriteStream(partial));
    },
    (error) =>
      (error as { retryable?: boolean }).retryable ?? (isNetworkError(error) || /ECONNRESET|aborted|terminated/i.test(String(error))),
  );
  await rename(partial, target);
  return target;
}
