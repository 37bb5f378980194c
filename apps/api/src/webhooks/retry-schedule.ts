export interface RetrySchedule {
  /** Delay before the first retry, doubled for each later one. */
  baseSeconds: number;
  /** No single wait is longer than this. */
  maxDelaySeconds: number;
  /** Retries stop once this long has passed since the event. */
  windowSeconds: number;
}

/**
 * Exponential backoff with "equal jitter": after the n-th failed attempt, wait between half and all
 * of `base * 2^(n-1)` (capped), so receivers that come back are not hit by every sender at once.
 */
export function retryDelaySeconds(failedAttempts: number, schedule: RetrySchedule, random: () => number = Math.random): number {
  const exponent = Math.min(Math.max(failedAttempts - 1, 0), 30);
  const ceiling = Math.min(schedule.baseSeconds * 2 ** exponent, schedule.maxDelaySeconds);
  return ceiling / 2 + (random() * ceiling) / 2;
}

/** When to try again after `failedAttempts` failures of an event created at `createdAt`; null: give up. */
export function nextAttemptAt(
  failedAttempts: number,
  createdAt: Date,
  now: Date,
  schedule: RetrySchedule,
  random?: () => number,
): Date | null {
  const next = new Date(now.getTime() + retryDelaySeconds(failedAttempts, schedule, random) * 1000);
  return next.getTime() - createdAt.getTime() > schedule.windowSeconds * 1000 ? null : next;
}
