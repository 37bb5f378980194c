import { ImageRejectedError } from './errors.js';

/** Turns a libvips/sharp failure during decode into a user-facing rejection. */
export function toRejection(error: unknown, format: string): ImageRejectedError {
  if (error instanceof ImageRejectedError) return error;
  const detail = error instanceof Error ? error.message : String(error);
  if (/has not been built in|no decoder|decoder plugin|unsupported codec/i.test(detail)) {
    const name = format === 'heif' ? 'HEIC' : format.toUpperCase();
    return new ImageRejectedError('decoder-unavailable', `${name} decoding is not available on this server`, { cause: error });
  }
  if (/exceeds pixel limit/i.test(detail)) {
    return new ImageRejectedError('too-large', 'image is larger than the pixel limit', { cause: error });
  }
  return new ImageRejectedError('corrupt', 'image data is truncated or corrupt', { cause: error });
}
