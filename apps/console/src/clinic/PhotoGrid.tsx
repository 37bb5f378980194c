import { statusLabel } from '../ui/format.js';
import type { Photo } from './usePhotos.js';

/**
 * Thumbnails of the animal's photos (a click opens the large rendition); photos not ready show
 * their status or why they failed. Each can be deleted.
 */
export function PhotoGrid({ photos, onDelete }: { photos: Photo[]; onDelete: (photo: Photo) => void }) {
  if (photos.length === 0) return <p>No photos yet.</p>;
  return (
    <ul className="grid" aria-label="Photos">
      {photos.map((photo) => {
        const thumb = photo.renditions.find((r) => r.name === 'thumb');
        const large = photo.renditions.find((r) => r.name === 'large');
        return (
          <li key={photo.id} className={`photo ${photo.status}`}>
            {thumb ? (
              <a href={large?.url ?? thumb.url} target="_blank" rel="noreferrer">
                <img src={thumb.url} width={thumb.width} height={thumb.height} alt={photo.filename} />
              </a>
            ) : (
              <div className="placeholder" aria-hidden="true" />
            )}
            <span className="name">{photo.filename}</span>
            <span className="status">{statusLabel(photo.status)}</span>
            {photo.failureReason && <span className="reason">{photo.failureReason}</span>}
            <button type="button" className="link-button" aria-label={`Delete ${photo.filename}`} onClick={() => onDelete(photo)}>
              Delete
            </button>
          </li>
        );
      })}
    </ul>
  );
}
