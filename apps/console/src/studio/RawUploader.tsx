import { useState } from 'react';
import { paginate, unwrap } from '#sdk';
import { describeError, newIdempotencyKey, type RevelaClient } from '../api.js';
import { uploadDirect } from '../direct-upload.js';
import { runPool } from '../pool.js';
import { FilePicker } from '../ui/FilePicker.js';
import { formatBytes } from '../ui/format.js';
import { ProgressBar } from '../ui/ProgressBar.js';
import { uploadFetch } from '../upload-fetch.js';

/** RAW files uploading at once: enough to fill a studio uplink without starving the tab. */
const FILES_AT_ONCE = 4;

interface Upload {
  key: string;
  name: string;
  sent: number;
  total: number;
  state: 'waiting' | 'uploading' | 'uploaded' | 'failed';
  error?: string;
}

/** The job's files declared but not submitted, by name and size. */
async function declaredFiles(client: RevelaClient, jobId: string): Promise<Map<string, string>> {
  const found = new Map<string, string>();
  for await (const file of paginate((cursor) =>
    client.GET('/v1/jobs/{id}/files', { params: { path: { id: jobId }, query: { cursor, limit: 100 } } }),
  ))
    if (file.status === 'declared') found.set(`${file.filename}\0${file.bytes}`, file.id);
  return found;
}

/**
 * Adds RAW files to a draft job, four at a time, with per-file and overall progress: each is
 * declared, then sent straight to storage through its presigned target (multipart above 100 MB),
 * or streamed through the API when storage cannot be reached from the browser. Picking the same
 * files again after a page reload resumes: files already declared are not declared twice.
 */
export function RawUploader({
  client,
  jobId,
  onUploaded,
  onBusy,
}: {
  client: RevelaClient;
  jobId: string;
  onUploaded: () => void;
  onBusy: (busy: boolean) => void;
}) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = (key: string, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const add = async (files: File[]) => {
    const batch = files.map((file) => ({
      file,
      upload: { key: crypto.randomUUID(), name: file.name, sent: 0, total: file.size, state: 'waiting' as const },
    }));
    setUploads((all) => [...all, ...batch.map((b) => b.upload)]);
    onBusy(true);
    // After a page reload the same files are picked again: those the job already declared get a
    // fresh upload target instead of a second declaration.
    const declaredEarlier = await declaredFiles(client, jobId).catch(() => new Map<string, string>());
    const takeDeclared = (file: File) => {
      const key = `${file.name}\0${file.size}`;
      const id = declaredEarlier.get(key);
      declaredEarlier.delete(key);
      return id;
    };
    await runPool(batch, FILES_AT_ONCE, async ({ file, upload }) => {
      update(upload.key, { state: 'uploading' });
      try {
        const earlier = takeDeclared(file);
        const declared = earlier
          ? await unwrap(client.POST('/v1/jobs/{id}/files/{fileId}/upload-target', { params: { path: { id: jobId, fileId: earlier } } }))
          : await unwrap(
              client.POST('/v1/jobs/{id}/files', {
                params: { path: { id: jobId }, header: { 'Idempotency-Key': newIdempotencyKey() } },
                body: { filename: file.name, bytes: file.size },
              }),
            );
        try {
          await uploadDirect(client, jobId, declared.file.id, declared.upload, file, (sent) => update(upload.key, { sent }));
        } catch {
          // Storage unreachable from this browser (no CORS rule for this origin, a proxy, an
          // expired link): stream the file through the API instead, which always works.
          update(upload.key, { sent: 0 });
          await unwrap(
            client.PUT('/v1/jobs/{id}/files/{fileId}/content', {
              params: { path: { id: jobId, fileId: declared.file.id } },
              headers: { 'Content-Type': 'application/octet-stream' },
              body: file as never,
              bodySerializer: (body: unknown) => body as Blob,
              fetch: uploadFetch(file, (sent) => update(upload.key, { sent })),
            }),
          );
        }
        update(upload.key, { sent: file.size, state: 'uploaded' });
      } catch (failure) {
        update(upload.key, { state: 'failed', error: describeError(failure) });
      }
      onUploaded();
    });
    onBusy(false);
  };

  const sent = uploads.reduce((sum, u) => sum + u.sent, 0);
  const total = uploads.reduce((sum, u) => sum + u.total, 0);
  const done = uploads.filter((u) => u.state === 'uploaded').length;
  return (
    <div className="uploader">
      <FilePicker label="Add RAW files" onFiles={(files) => void add(files)} />
      {uploads.length > 0 && (
        <>
          <div className="overall">
            <span>
              Uploaded {done} of {uploads.length} files ({formatBytes(sent)} of {formatBytes(total)})
            </span>
            <ProgressBar label="Overall upload" value={sent} max={total} />
          </div>
          <ul className="uploads" aria-label="Uploads">
            {uploads.map((upload) => (
              <li key={upload.key} className={upload.state === 'failed' ? 'failed' : ''}>
                <span className="name">{upload.name}</span>
                <ProgressBar label={`Upload of ${upload.name}`} value={upload.sent} max={upload.total} />
                <span className="status">{upload.state}</span>
                {upload.error && <span className="reason">{upload.error}</span>}
              </li>
            ))}
          </ul>
        </>
      )}
    </div>
  );
}
