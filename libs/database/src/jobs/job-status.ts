export const JOB_STATUSES = ['draft', 'queued', 'processing', 'completed', 'completed_with_errors', 'failed', 'canceled'] as const;
export type JobStatus = (typeof JOB_STATUSES)[number];

export const FILE_STATUSES = ['declared', 'queued', 'processing', 'done', 'failed', 'canceled'] as const;
export type FileStatus = (typeof FILE_STATUSES)[number];

export const TERMINAL_FILE_STATUSES: readonly FileStatus[] = ['done', 'failed', 'canceled'];
export const TERMINAL_JOB_STATUSES: readonly JobStatus[] = ['completed', 'completed_with_errors', 'failed', 'canceled'];
/** Jobs a client can download from. */
export const DOWNLOADABLE_JOB_STATUSES: readonly JobStatus[] = ['completed', 'completed_with_errors'];

const TRANSITIONS: Record<JobStatus, readonly JobStatus[]> = {
  draft: ['queued', 'canceled'],
  queued: ['processing', 'completed', 'completed_with_errors', 'failed', 'canceled'],
  processing: ['completed', 'completed_with_errors', 'failed', 'canceled'],
  completed: [],
  completed_with_errors: [],
  failed: [],
  canceled: [],
};

export function canTransition(from: JobStatus, to: JobStatus): boolean {
  return TRANSITIONS[from].includes(to);
}

export function isTerminalJob(status: JobStatus): boolean {
  return TERMINAL_JOB_STATUSES.includes(status);
}

/** The status a job ends in once none of its files is pending. */
export function finalJobStatus(counts: { done: number; failed: number }): JobStatus {
  if (counts.failed === 0) return 'completed';
  return counts.done === 0 ? 'failed' : 'completed_with_errors';
}
