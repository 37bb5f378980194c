/** What the clinic photo upload accepts; the API enforces it up front, the Lambda again on the object. */
export const PHOTO_MAX_BYTES = 50 * 1024 * 1024;

/** Declared content types of the accepted formats (JPEG, PNG, WebP, HEIC/HEIF, AVIF, TIFF, GIF). */
export const PHOTO_CONTENT_TYPES = [
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/heic',
  'image/heif',
  'image/heic-sequence',
  'image/heif-sequence',
  'image/avif',
  'image/tiff',
  'image/gif',
] as const;

export type PhotoContentType = (typeof PHOTO_CONTENT_TYPES)[number];

/** Normalises a Content-Type header value (`Image/JPEG; charset=x` -> `image/jpeg`). */
export function normaliseContentType(value: string): string {
  return value.split(';')[0].trim().toLowerCase();
}

export function isAcceptedPhotoType(value: string): value is PhotoContentType {
  return (PHOTO_CONTENT_TYPES as readonly string[]).includes(normaliseContentType(value));
}
