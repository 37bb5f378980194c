import type { PhotoStatus } from '../entities/photo.entity.js';

/**
 * pending_upload -> processing -> ready | failed. A result may arrive before the upload was seen
 * (the Lambda can be quicker than the API), so pending_upload may also end directly. ready and
 * failed are terminal: a later report for them is acknowledged and changes nothing.
 */
const PHOTO_TRANSITIONS: Readonly<Record<PhotoStatus, readonly PhotoStatus[]>> = {
  pending_upload: ['processing', 'ready', 'failed'],
  processing: ['ready', 'failed'],
  ready: [],
  failed: [],
};

export function canPhotoMove(from: PhotoStatus, to: PhotoStatus): boolean {
  return PHOTO_TRANSITIONS[from].includes(to);
}

/** The statuses a photo may be in for a move to `to`: what the guarded UPDATE matches on. */
export function photoSourcesOf(to: PhotoStatus): PhotoStatus[] {
  return (Object.keys(PHOTO_TRANSITIONS) as PhotoStatus[]).filter((from) => canPhotoMove(from, to));
}

export function isTerminalPhoto(status: PhotoStatus): boolean {
  return PHOTO_TRANSITIONS[status].length === 0;
}
