import { unwrap } from '#sdk';
import type { RevelaClient, Schemas } from './api.js';
import { runPool } from './pool.js';

type UploadTarget = Schemas['UploadTargetDto'];

/** Headers a browser refuses to set itself (it computes them). */
const FORBIDDEN = new Set(['content-length', 'host', 'connection']);

/** One presigned PUT straight to storage with XMLHttpRequest (for its progress); answers the ETag. */
export function putToStorage(
  url: string,
  headers: Record<string, string>,
  body: Blob,
  onProgress: (sent: number) => void,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('PUT', url);
    for (const [name, value] of Object.entries(headers)) if (!FORBIDDEN.has(name.toLowerCase())) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (event) => onProgress(event.loaded);
    xhr.onload = () =>
      xhr.status >= 200 && xhr.status < 300
        ? resolve(xhr.getResponseHeader('ETag') ?? '')
        : reject(
            new Error(`storage answered ${xhr.status}: ${/<Message>([^<]*)<\/Message>/.exec(xhr.responseText)?.[1] ?? xhr.statusText}`),
          );
    xhr.onerror = () => reject(new Error('storage could not be reached from this browser'));
    xhr.send(body);
  });
}

/**
 * Uploads a declared file straight to storage through its presigned target: one PUT, or (above
 * 100 MB) the presigned parts, two at a time, then `complete` with each part's ETag through the SDK.
 */
export async function uploadDirect(
  client: RevelaClient,
  jobId: string,
  fileId: string,
  target: UploadTarget,
  file: File,
  onProgress: (sent: number) => void,
): Promise<void> {
  if (target.method === 'PUT') {
    await putToStorage(target.url!, target.headers, file, onProgress);
    return;
  }
  const partSize = target.partSize!;
  const sentByPart = new Map<number, number>();
  const report = () => onProgress([...sentByPart.values()].reduce((sum, n) => sum + n, 0));
  const parts: Array<{ partNumber: number; etag: string }> = [];
  await runPool(target.parts ?? [], 2, async (part) => {
    const start = (part.partNumber - 1) * partSize;
    const blob = file.slice(start, Math.min(file.size, start + partSize));
    const etag = await putToStorage(part.url, target.headers, blob, (sent) => (sentByPart.set(part.partNumber, sent), report()));
    if (!etag) throw new Error('storage did not expose the ETag of a part (check the bucket’s CORS rules)');
    parts.push({ partNumber: part.partNumber, etag });
  });
  parts.sort((a, b) => a.partNumber - b.partNumber);
  await unwrap(client.POST('/v1/jobs/{id}/files/{fileId}/complete', { params: { path: { id: jobId, fileId } }, body: { parts } }));
}
