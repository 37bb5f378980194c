import { useState } from 'react';
import { unwrap } from '#sdk';
import { describeError, type RevelaClient } from '../api.js';
import { FilePicker } from '../ui/FilePicker.js';
import { statusLabel } from '../ui/format.js';
import { ProgressBar } from '../ui/ProgressBar.js';
import { putToStorage } from '../direct-upload.js';
import { runPool } from '../pool.js';
import type { Photo } from './usePhotos.js';

interface Upload {
  key: string;
  name: string;
  sent: number;
  total: number;
  photoId?: string;
  uploaded?: boolean;
  error?: string;
}

/** Browsers leave `File.type` empty for some image types (HEIC on most systems): the extension decides then. */
const TYPE_BY_EXTENSION: Record<string, string> = {
  heic: 'image/heic',
  heif: 'image/heif',
  avif: 'image/avif',
  tif: 'image/tiff',
  tiff: 'image/tiff',
};

function photoContentType(file: File): string {
  return file.type || TYPE_BY_EXTENSION[file.name.split('.').pop()?.toLowerCase() ?? ''] || 'application/octet-stream';
}

/**
 * Several photos at once, two in flight: each is declared through the SDK and sent straight to
 * storage with its presigned PUT (with its own progress bar); then its processing status and
 * failure reason come from the photo list.
 */
export function PhotoUploader({
  client,
  animalId,
  photos,
  onUploaded,
}: {
  client: RevelaClient;
  animalId: string;
  photos: Photo[];
  onUploaded: () => void;
}) {
  const [uploads, setUploads] = useState<Upload[]>([]);
  const update = (key: string, change: Partial<Upload>) => setUploads((all) => all.map((u) => (u.key === key ? { ...u, ...change } : u)));

  const add = (files: File[]) => {
    const batch = files.map((file) => ({ file, upload: { key: crypto.randomUUID(), name: file.name, sent: 0, total: file.size } }));
    setUploads((all) => [...all, ...batch.map((b) => b.upload)]);
    void runPool(batch, 2, async ({ file, upload }) => {
      try {
        const declared = await unwrap(
          client.POST('/v1/animals/{animalId}/photos', {
            params: { path: { animalId } },
            body: { contentType: photoContentType(file), filename: file.name, bytes: file.size },
          }),
        );
        if (!('upload' in declared)) throw new Error('the API answered without an upload target');
        update(upload.key, { photoId: declared.photo.id });
        await putToStorage(declared.upload.url, declared.upload.headers, file, (sent) => update(upload.key, { sent }));
        update(upload.key, { sent: file.size, uploaded: true });
        onUploaded();
      } catch (failure) {
        update(upload.key, { error: describeError(failure) });
      }
    });
  };

  return (
    <div className="uploader">
      <FilePicker label="Add photos" accept="image/*" onFiles={add} />
      {uploads.length > 0 && (
        <ul className="uploads" aria-label="Uploads">
          {uploads.map((upload) => {
            const photo = upload.uploaded ? photos.find((p) => p.id === upload.photoId) : undefined;
            const status = upload.error ? 'upload failed' : photo ? statusLabel(photo.status) : 'uploading';
            return (
              <li key={upload.key} className={upload.error || photo?.status === 'failed' ? 'failed' : ''}>
                <span className="name">{upload.name}</span>
                <ProgressBar label={`Upload of ${upload.name}`} value={upload.sent} max={upload.total} />
                <span className="status">{status}</span>
                {(upload.error ?? photo?.failureReason) && <span className="reason">{upload.error ?? photo?.failureReason}</span>}
              </li>
            );
          })}
        </ul>
      )}
    </div>
  );
}
