export const JOB_STATUSES = ['draft', 'queued', 'processing', 'completed', 'completed_with_errors', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FILE_STATUSES = ['declared', 'queued', 'processing', 'done', 'failed', 'canceled'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export const TERMINAL_FILE_STATUSES: readonly FileStatus[] = ['done', 'failed', 'canceled'];
/** Files that still await an outcome. */
export const PENDING_FILE_STATUSES: readonly FileStatus[] = FILE_STATUSES.filter((status) => !TERMINAL_FILE_STATUSES.includes(status));
/** Jobs a client can download from. */
export const DOWNLOADABLE_JOB_STATUSES: readonly JobStatus[] = ['completed', 'completed_with_errors'];
/** Jobs whose files workers may claim. */
export const ACTIVE_JOB_STATUSES: readonly JobStatus[] = ['queued', 'processing'];

const JOB_TRANSITIONS: Readonly<Record<JobStatus, readonly JobStatus[]>> = {
  draft: ['queued', 'canceled'],
  queued: ['processing', 'completed', 'completed_with_errors', 'failed', 'canceled'],
  processing: ['completed', 'completed_with_errors', 'failed', 'canceled'],
  completed: [],
  completed_with_errors: [],
  failed: [],
  canceled: [],
};

export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = JOB_STATUSES.filter((status) => JOB_TRANSITIONS[status].length === 0);

/**
 * Finished jobs whose failed files a client may send back to the queue (`POST /v1/jobs/{id}/retry`).
 * The one way out of a terminal status, deliberate and outside the workers' transitions above.
 */
export const RETRYABLE_JOB_STATUSES: readonly JobStatus[] = ['completed_with_errors', 'failed'];

export function canJobMove(from: JobStatus, to: JobStatus): boolean {
  return JOB_TRANSITIONS[from].includes(to);
}

/** The statuses a job may be in for a move to `to`: what the guarded UPDATE matches on. */
export function jobSourcesOf(to: JobStatus): JobStatus[] {
  return JOB_STATUSES.filter((from) => canJobMove(from, to));
}

export function isTerminalJob(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** The status a job ends in once none of its files is pending. */
export function finalJobStatus(counts: { done: number; failed: number }): JobStatus {
  if (counts.failed === 0) return 'completed';
  return counts.done === 0 ? 'failed' : 'completed_with_errors';
}
