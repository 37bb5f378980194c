import { Inject, Injectable } from '@nestjs/common';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AppConfig } from '#config';
import { DOWNLOADABLE_JOB_STATUSES, type TenantContext } from '#database';
import { presignGet, safeFilename, titleAsFilename } from '#storage';
import { InjectConfig } from '../app-config.provider.js';
import { problems } from '../common/problem.js';
import { S3 } from '../storage/storage.module.js';
import type { JobDownloadDto } from './dto/file.dto.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';

@Injectable()
export class DownloadsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
    @Inject(S3) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /** Short-lived links to the ZIP and every variant; 409 until the job is complete. */
  async links(ctx: TenantContext, jobId: string): Promise<JobDownloadDto> {
    const job = await this.jobsService.require(ctx, jobId);
    if (!DOWNLOADABLE_JOB_STATUSES.includes(job.status)) {
      throw problems.conflict(`The job is ${job.status}; downloads are available once it has completed.`, { jobStatus: job.status });
    }
    const bucket = this.config.s3.buckets.processed;
    const ttl = this.config.s3.presignTtlSeconds;
    const expiresAt = new Date(Date.now() + ttl * 1000).toISOString();
    const archiveName = `${titleAsFilename(job.name)}.zip`;
    const archive = job.archiveKey
      ? { filename: archiveName, bytes: job.archiveBytes ?? 0, url: (await presignGet(this.s3, { bucket, key: job.archiveKey, downloadName: archiveName }, ttl)).url }
      : null;
    const files = await this.jobs.allFiles(ctx, jobId);
    return {
      archive,
      expiresAt,
      files: await Promise.all(
        files.map(async (file) => {
          const base = safeFilename(file.filename).replace(/\.[^.]*$/, '') || 'file';
          return {
            id: file.id,
            filename: file.filename,
            status: file.status,
            error: file.error,
            variants: await Promise.all(
              file.outputs.map(async (output) => {
                const filename = `${base}_${output.variant}.${output.extension}`;
                const link = await presignGet(this.s3, { bucket, key: output.key, downloadName: filename }, ttl);
                return { variant: output.variant, filename, width: output.width, height: output.height, bytes: output.bytes, url: link.url };
              }),
            ),
          };
        }),
      ),
    };
  }
}
