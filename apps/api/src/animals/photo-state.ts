import type { PhotoStatus } from '#database';

/**
 * pending_upload -> processing -> ready | failed. A result may arrive before the upload was seen
 * (the Lambda can be quicker than the API), so pending_upload may also end directly. ready and
 * failed are terminal: a later report for them is acknowledged and changes nothing.
 */
const TRANSITIONS: Readonly<Record<PhotoStatus, readonly PhotoStatus[]>> = {
  pending_upload: ['processing', 'ready', 'failed'],
  processing: ['ready', 'failed'],
  ready: [],
  failed: [],
};

export function canTransition(from: PhotoStatus, to: PhotoStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

/** The statuses a photo may be in for a move to `to`: what the guarded UPDATE matches on. */
export function sourcesOf(to: PhotoStatus): PhotoStatus[] {
  return (Object.keys(TRANSITIONS) as PhotoStatus[]).filter((from) => canTransition(from, to));
}

export function isTerminal(status: PhotoStatus): boolean {
  return TRANSITIONS[status].length === 0;
}
