import { useState } from 'react';
import { unwrap } from '#sdk';
import { describeError, type RevelaClient } from '../api.js';
import { FilePicker } from '../ui/FilePicker.js';
import { statusLabel } from '../ui/format.js';
import { ProgressBar } from '../ui/ProgressBar.js';
import { uploadFetch } from '../upload-fetch.js';
import { runPool } from '../pool.js';
import type { Photo } from './usePhotos.js';

interface Upload {
  key: string;
  name: string;
  sent: number;
  total: number;
  photoId?: string;
  error?: string;
}

/**
 * Several photos at once, two in flight, each streamed through the API (multipart/form-data, same
 * origin) with its own progress; then its processing status and failure reason from the photo list.
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
      const form = new FormData();
      form.append('file', file, file.name);
      try {
        const photo = await unwrap(
          client.POST('/v1/animals/{animalId}/photos', {
            params: { path: { animalId } },
            body: form as never,
            bodySerializer: (body: unknown) => body as FormData,
            fetch: uploadFetch(form, (sent, total) => update(upload.key, { sent, total })),
          }),
        );
        update(upload.key, { sent: upload.total, photoId: 'photo' in photo ? photo.photo.id : photo.id });
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
            const photo = photos.find((p) => p.id === upload.photoId);
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
