import type { PhotoEntity } from '#database';
import type { PhotoDto, RenditionDto } from './dto/photo.dto.js';

export type RenditionView = Omit<RenditionDto, 'url' | 'expiresAt'>;

/** A photo as `GET` shows it, less the presigned URLs: what webhooks carry. */
export type PhotoView = Omit<PhotoDto, 'renditions'> & { renditions: RenditionView[] };

export function toPhotoView(photo: PhotoEntity): PhotoView {
  const ready = photo.status === 'ready';
  return {
    id: photo.id,
    animalId: photo.animalId,
    status: photo.status,
    filename: photo.filename,
    contentType: photo.contentType,
    bytes: photo.bytes,
    failureReason: photo.failureReason,
    original:
      ready && photo.originalFormat && photo.originalWidth && photo.originalHeight
        ? {
            format: photo.originalFormat,
            width: photo.originalWidth,
            height: photo.originalHeight,
            takenAt: photo.takenAt?.toISOString() ?? null,
          }
        : null,
    renditions: ready
      ? photo.renditions.map((r) => ({ name: r.name, contentType: r.contentType, width: r.width, height: r.height, bytes: r.bytes }))
      : [],
    createdAt: photo.createdAt.toISOString(),
    updatedAt: photo.updatedAt.toISOString(),
    processedAt: photo.processedAt?.toISOString() ?? null,
  };
}
