import { HttpStatus } from '@nestjs/common';
import { ProblemException } from '../common/problem.js';

/** The limits a request can run into; each is its own problem `type` (…/problems/quota-{limit}). */
export type QuotaLimit = 'storage-bytes' | 'files-per-job' | 'bytes-per-file' | 'concurrent-jobs' | 'processing-seconds-per-month';

const TITLES: Record<QuotaLimit, string> = {
  'storage-bytes': 'Storage allowance exceeded',
  'files-per-job': 'Files per job allowance exceeded',
  'bytes-per-file': 'File size allowance exceeded',
  'concurrent-jobs': 'Too many jobs running at once',
  'processing-seconds-per-month': 'Monthly processing time allowance used up',
};

/**
 * Going over a limit: 403 for an allowance (it does not pass by waiting), 429 with Retry-After for a
 * rate (concurrent jobs: one finishing frees a slot). The document names the limit, the usage, the
 * allowance and, where there is one, what the request asked for.
 */
export function quotaExceeded(
  limit: QuotaLimit,
  figures: { usage: number; allowance: number; requested?: number },
  detail: string,
): ProblemException {
  const rate = limit === 'concurrent-jobs';
  return new ProblemException({
    status: rate ? HttpStatus.TOO_MANY_REQUESTS : HttpStatus.FORBIDDEN,
    slug: `quota-${limit}`,
    title: TITLES[limit],
    detail,
    headers: rate ? { 'Retry-After': '60' } : undefined,
    extensions: {
      limit,
      usage: figures.usage,
      allowance: figures.allowance,
      ...(figures.requested === undefined ? {} : { requested: figures.requested }),
    },
  });
}
