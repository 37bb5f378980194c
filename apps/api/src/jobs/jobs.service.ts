import { Injectable } from '@nestjs/common';
import { jobSourcesOf, type JobStatus, PENDING_FILE_STATUSES, type TenantContext } from '#database';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import type { CreateJobDto, JobDto, JobPageDto } from './dto/job.dto.js';
import { JobStorage } from './job-storage.js';
import { CapacityService } from './launcher/capacity.service.js';
import { type JobRow, JobsRepository } from './jobs.repository.js';
import { toJobDto } from './job.mapper.js';
import { presetProblems, resolvePreset } from './preset-resolution.js';

@Injectable()
export class JobsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly capacity: CapacityService,
    private readonly storage: JobStorage,
  ) {}

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
    const moved = await this.jobs.transition(ctx, id, jobSourcesOf('queued'), 'queued', { from: ['declared'], to: 'queued' });
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
