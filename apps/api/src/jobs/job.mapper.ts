import { TERMINAL_FILE_STATUSES } from '#database';
import type { JobDto } from './dto/job.dto.js';
import type { JobFileDto } from './dto/file.dto.js';
import type { FileRow, JobRow } from './jobs.repository.js';

export function toJobDto(job: JobRow): JobDto {
  const c = job.counts;
  const total = c.declared + c.queued + c.processing + c.done + c.failed + c.canceled;
  const terminal = TERMINAL_FILE_STATUSES.reduce((sum, status) => sum + c[status], 0);
  return {
    id: job.id,
    name: job.name,
    status: job.status,
    preset: job.preset,
    fileCounts: { total, ...c },
    progress: total === 0 ? 0 : Math.floor((terminal / total) * 100),
    createdAt: job.createdAt.toISOString(),
    queuedAt: job.queuedAt?.toISOString() ?? null,
    startedAt: job.startedAt?.toISOString() ?? null,
    finishedAt: job.finishedAt?.toISOString() ?? null,
    workerSeconds: Math.round(job.workerMs / 100) / 10,
    expiresAt: job.expiresAt?.toISOString() ?? null,
  };
}

export function toJobFileDto(file: FileRow): JobFileDto {
  return {
    id: file.id,
    filename: file.filename,
    bytes: file.bytes,
    status: file.status,
    attempts: file.attempts,
    error: file.error,
    source: file.source,
    outputs: file.outputs.map((o) => ({ variant: o.variant, format: o.format, width: o.width, height: o.height, bytes: o.bytes })),
    timings: file.timings,
    createdAt: file.createdAt.toISOString(),
    finishedAt: file.finishedAt?.toISOString() ?? null,
  };
}
