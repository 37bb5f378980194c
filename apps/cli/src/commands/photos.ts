import { stat } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { type RevelaClient, RevelaProblem, type Schemas, unwrap } from '#sdk';
import { EXIT, type Output } from '../output.js';
import { transferProgress } from '../progress.js';
import { putFile } from '../upload/transfer.js';

type Photo = Schemas['PhotoDto'];

const TYPES: Record<string, string> = {
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.png': 'image/png',
  '.webp': 'image/webp',
  '.heic': 'image/heic',
  '.heif': 'image/heif',
  '.avif': 'image/avif',
  '.tif': 'image/tiff',
  '.tiff': 'image/tiff',
  '.gif': 'image/gif',
};

interface Outcome {
  file: string;
  photo?: Photo;
  error?: string;
}

/**
 * `revela photos add <animalId> <files…>`: declares each photo, PUTs it to its presigned URL with
 * progress, then (unless --no-wait) waits until each is ready or failed and says why.
 */
export async function photosAddCommand(
  client: RevelaClient,
  animalId: string,
  files: string[],
  options: { wait: boolean },
  out: Output,
): Promise<number> {
  const sizes = await Promise.all(files.map(async (file) => (await stat(file).catch(() => null))?.size ?? -1));
  const progress = transferProgress(
    out,
    files.length,
    sizes.reduce((sum, size) => sum + Math.max(size, 0), 0),
  );
  const outcomes: Outcome[] = [];
  for (const [i, file] of files.entries()) {
    const bar = progress.file(path.basename(file), Math.max(sizes[i], 0));
    try {
      if (sizes[i] < 0) throw new Error('no such file');
      const contentType = TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
      const created = await unwrap(
        client.POST('/v1/animals/{animalId}/photos', {
          params: { path: { animalId } },
          body: { contentType, filename: path.basename(file), bytes: sizes[i] },
        }),
      );
      if (!('upload' in created)) throw new Error('the API did not answer an upload target');
      await putFile(created.upload.url, created.upload.headers, file, sizes[i], (bytes) => bar.advance(bytes));
      bar.finish('uploaded');
      outcomes.push({ file, photo: created.photo });
    } catch (error) {
      bar.finish('FAILED');
      outcomes.push({ file, error: error instanceof RevelaProblem ? (error.detail ?? error.title) : (error as Error).message });
    }
  }
  progress.stop();

  if (options.wait) {
    for (const outcome of outcomes) {
      if (!outcome.photo) continue;
      while (outcome.photo.status === 'pending_upload' || outcome.photo.status === 'processing') {
        await sleep(500);
        outcome.photo = await unwrap(
          client.GET('/v1/animals/{animalId}/photos/{photoId}', { params: { path: { animalId, photoId: outcome.photo.id } } }),
        );
      }
      if (outcome.photo.status === 'failed') outcome.error = outcome.photo.failureReason ?? 'processing failed';
    }
  }
  const lines = outcomes.map(
    (o) =>
      `${o.error ? 'failed' : (o.photo?.status ?? 'failed').replace(/_/g, ' ')}  ${o.file}${o.photo ? ` (${o.photo.id})` : ''}${o.error ? `: ${o.error}` : ''}`,
  );
  out.result({ photos: outcomes.map((o) => ({ file: o.file, photo: o.photo ?? null, error: o.error ?? null })) }, lines.join('\n'));
  return outcomes.some((o) => o.error) ? EXIT.failure : EXIT.ok;
}
