import { Injectable } from '@nestjs/common';
import { jobSourcesOf, type JobStatus, PENDING_FILE_STATUSES, type TenantContext } from '#database';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import type { CreateJobDto, JobDto, JobPageDto, RetryJobResultDto, UpdateJobDto } from './dto/job.dto.js';
import { JobStorage } from './job-storage.js';
import { CapacityService } from './launcher/capacity.service.js';
import { JobLifecycleService } from './lifecycle/job-lifecycle.service.js';
import { QuotasService } from '../quotas/quotas.service.js';
import { type JobRow, JobsRepository } from './jobs.repository.js';
import { toJobDto } from './job.mapper.js';
import { presetProblems, resolvePreset } from './preset-resolution.js';

@Injectable()
export class JobsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly capacity: CapacityService,
    private readonly storage: JobStorage,
    private readonly lifecycle: JobLifecycleService,
    private readonly quotas: QuotasService,
  ) {}

  /** Renames a draft or replaces its preset (omitted preset fields take the defaults, as on create). */
  async update(ctx: TenantContext, id: string, input: UpdateJobDto): Promise<JobDto> {
    const job = await this.require(ctx, id);
    if (input.name === undefined && input.preset === undefined)
      throw problems.validation([{ field: 'body', message: 'give a name, a preset or both' }]);
    const preset = input.preset === undefined ? undefined : resolvePreset(input.preset);
    if (preset) {
      const invalid = presetProblems(preset);
      if (invalid.length > 0) throw problems.validation(invalid);
    }
    if (!(await this.jobs.updateDraft(ctx, id, { name: input.name, preset }))) {
      throw problems.conflict(`The job is ${job.status}; only a draft can be renamed or given another preset.`, { jobStatus: job.status });
    }
    return this.get(ctx, id);
  }

  /** Sends the failed files of a finished job back to the queue, attempts reset; the ZIP is rebuilt. */
  async retry(ctx: TenantContext, id: string): Promise<RetryJobResultDto> {
    const job = await this.require(ctx, id);
    await this.quotas.checkQueue(ctx.tenantId);
    const requeued = await this.jobs.retryFailed(ctx, id);
    if (requeued === 0) {
      const why = job.purgedAt
        ? 'its files were deleted at the end of their retention'
        : job.status === 'completed_with_errors' || job.status === 'failed'
          ? 'it has no failed files'
          : `it is ${job.status}; only a finished job with failed files can be retried`;
      throw problems.conflict(`The job cannot be retried: ${why}.`, { jobStatus: job.status });
    }
    await this.capacity.ensureCapacity({ tenantId: ctx.tenantId, jobId: id });
    return { requeued, job: await this.get(ctx, id) };
  }

  /**
   * Deletes a finished or canceled job: S3 objects first, then rows. The job disappears at once; if
   * the deletion is interrupted, the sweeper (or the same request again) finishes it.
   */
  async delete(ctx: TenantContext, id: string): Promise<void> {
    const marked = await this.jobs.markDeleting(ctx, id);
    if (marked === undefined) throw problems.notFound('Job');
    if (marked !== 'marked') {
      throw problems.conflict(`The job is ${marked}; cancel it first (POST /v1/jobs/${id}/cancel), then delete it.`, { jobStatus: marked });
    }
    await this.lifecycle.finishDeletion({ id, tenantId: ctx.tenantId });
  }

  async create(ctx: TenantContext, input: CreateJobDto): Promise<JobDto> {
    const preset = resolvePreset(input.preset);
    const invalid = presetProblems(preset);
    if (invalid.length > 0) throw problems.validation(invalid);
    return toJobDto(await this.jobs.create(ctx, input.name, preset));
  }

  async list(ctx: TenantContext, page: PageRequest, status?: JobStatus): Promise<JobPageDto> {
    const rows = await this.jobs.list(ctx, page.limit + 1, page.after, status);
    return toPage(rows, page, toJobDto);
  }

  async get(ctx: TenantContext, id: string): Promise<JobDto> {
    return toJobDto(await this.require(ctx, id));
  }

  async require(ctx: TenantContext, id: string): Promise<JobRow> {
    const job = await this.jobs.find(ctx, id);
    if (!job) throw problems.notFound('Job');
    return job;
  }

  async cancel(ctx: TenantContext, id: string): Promise<JobDto> {
    const job = await this.require(ctx, id);
    const moved = await this.jobs.transition(ctx, id, jobSourcesOf('canceled'), 'canceled', {
      from: PENDING_FILE_STATUSES,
      to: 'canceled',
    });
    if (!moved) throw problems.conflict(`The job is ${job.status}; only draft, queued or processing jobs can be canceled.`);
    // Parts uploaded for files that will never be completed would otherwise be stored (and billed) forever.
    for (const file of await this.jobs.allFiles(ctx, id)) {
      if (!file.multipartUploadId) continue;
      await this.storage.abortRawMultipart(file.objectKey, file.multipartUploadId);
      await this.jobs.clearMultipart(ctx, file.id);
    }
    return this.get(ctx, id);
  }

  /** Checks that every declared upload landed with its declared size, then queues the files. */
  async submit(ctx: TenantContext, id: string): Promise<JobDto> {
    const job = await this.require(ctx, id);
    if (job.status !== 'draft') throw problems.conflict(`The job is ${job.status}; only a draft can be submitted.`);
    const files = await this.jobs.allFiles(ctx, id);
    if (files.length === 0) throw problems.conflict('The job has no files; declare and upload at least one.');
    await this.quotas.checkQueue(ctx.tenantId);
    const sizes = await mapLimit(files, 8, (file) => this.storage.rawSize(file.objectKey));
    const notReady = files.flatMap((file, i) => {
      const size = sizes[i];
      if (size === undefined) return [{ id: file.id, filename: file.filename, problem: 'not uploaded' }];
      if (size !== file.bytes) return [{ id: file.id, filename: file.filename, problem: `uploaded ${size} bytes, declared ${file.bytes}` }];
      return [];
    });
    if (notReady.length > 0) {
      throw problems.conflict(`${notReady.length} file(s) are not uploaded as declared: ${notReady.map((f) => f.filename).join(', ')}`, {
        files: notReady,
      });
    }
    const moved = await this.jobs.transition(ctx, id, ['draft'], 'queued', { from: ['declared'], to: 'queued' });
    if (!moved) throw problems.conflict('The job changed while it was being submitted; reload it.');
    await this.capacity.ensureCapacity({ tenantId: ctx.tenantId, jobId: id });
    return this.get(ctx, id);
  }
}

async function mapLimit<T, R>(items: T[], limit: number, fn: (item: T) => Promise<R>): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const workers = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await fn(items[index]);
    }
  });
  await Promise.all(workers);
  return results;
}
