import { Injectable } from '@nestjs/common';
import { DOWNLOADABLE_JOB_STATUSES, type TenantContext } from '#database';
import { titleAsFilename } from '#storage';
import { problems } from '../common/problem.js';
import type { JobDownloadDto } from './dto/file.dto.js';
import { JobStorage } from './job-storage.js';
import { outputFilename } from './output-names.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';

@Injectable()
export class DownloadsService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
    private readonly storage: JobStorage,
  ) {}

  /** Short-lived links to the ZIP and every variant; 409 until the job is complete. */
  async links(ctx: TenantContext, jobId: string): Promise<JobDownloadDto> {
    const job = await this.jobsService.require(ctx, jobId);
    if (!DOWNLOADABLE_JOB_STATUSES.includes(job.status)) {
      throw problems.conflict(`The job is ${job.status}; downloads are available once it has completed.`, { jobStatus: job.status });
    }
    if (job.purgedAt || (job.expiresAt && job.expiresAt.getTime() <= Date.now())) {
      throw problems.gone(`The job's files were deleted at the end of their retention (${job.expiresAt?.toISOString()}).`, {
        expiresAt: job.expiresAt?.toISOString(),
      });
    }
    const expiresAt = this.storage.linkExpiry().toISOString();
    const archiveName = `${titleAsFilename(job.name)}.zip`;
    // Keys come from rows; each link is checked against this tenant's job folder before it is signed.
    const scope = { tenantId: ctx.tenantId, jobId };
    const archive = job.archiveKey
      ? {
          filename: archiveName,
          bytes: job.archiveBytes ?? 0,
          url: (await this.storage.presignDownload(scope, job.archiveKey, archiveName)).url,
        }
      : null;
    const files = await this.jobs.allFiles(ctx, jobId);
    const links = {
      archive,
      expiresAt,
      files: await Promise.all(
        files.map(async (file) => {
          return {
            id: file.id,
            filename: file.filename,
            status: file.status,
            error: file.error,
            variants: await Promise.all(
              file.outputs.map(async (output) => {
                const filename = outputFilename(file.filename, output);
                const link = await this.storage.presignDownload(scope, output.key, filename);
                return {
                  variant: output.variant,
                  filename,
                  width: output.width,
                  height: output.height,
                  bytes: output.bytes,
                  url: link.url,
                };
              }),
            ),
          };
        }),
      ),
    };
    const count = links.files.reduce((n, file) => n + file.variants.length, archive ? 1 : 0);
    // Recorded before any link leaves the API: a download the log cannot record is not handed out.
    await this.jobs.recordDownload(ctx, jobId, { archive: archive !== null, links: count });
    return links;
  }
}
