import { Injectable, Logger } from '@nestjs/common';
import { keys } from '#storage';
import type { ArchiveClaimMessage, ArchivePartRequest, CompleteArchiveRequest, PresignedTarget } from '#worker-protocol';
import { problems } from '../../common/problem.js';
import { JobStorage } from '../job-storage.js';
import { archiveEntryNames } from '../output-names.js';
import { JobQueueRepository, type LeasedArchive } from './job-queue.repository.js';

/** S3 parts are 5 MiB at least; 8 MiB keeps a 10,000-part upload above 80 GB. */
export const ARCHIVE_PART_BYTES = 8 * 1024 ** 2;
const ARCHIVE_LEASE_SECONDS = 600;

/**
 * The archive side of the worker protocol: once every file of a job is finished, one worker
 * streams the outputs into a ZIP through presigned multipart parts, and the API completes the job.
 */
@Injectable()
export class WorkerArchivesService {
  private readonly logger = new Logger(WorkerArchivesService.name);

  constructor(
    private readonly queue: JobQueueRepository,
    private readonly storage: JobStorage,
  ) {}

  /**
   * Leases the next finished job. A job with no output is completed here (there is nothing to
   * zip); one with outputs comes back with a GET per entry and an open multipart upload.
   */
  async claim(workerId: string): Promise<ArchiveClaimMessage | null> {
    for (;;) {
      const leased = await this.queue.claimArchive(workerId, ARCHIVE_LEASE_SECONDS);
      if (!leased) return null;
      if (leased.files.length === 0) {
        const status = await this.queue.finishJob(leased.jobId, workerId, undefined);
        this.logger.log({ jobId: leased.jobId, tenantId: leased.tenantId, status }, 'job finished');
        continue;
      }
      const key = keys.jobArchive(leased.tenantId, leased.jobId);
      if (leased.previousUploadId) await this.storage.abortArchive(key, leased.previousUploadId);
      const uploadId = await this.storage.startArchive(key);
      await this.queue.setArchiveUpload(leased.jobId, uploadId);
      return { jobId: leased.jobId, entries: await this.entries(leased), partBytes: ARCHIVE_PART_BYTES };
    }
  }

  async presignPart(workerId: string, jobId: string, part: ArchivePartRequest): Promise<PresignedTarget> {
    const { tenantId, uploadId } = await this.held(jobId, workerId);
    if (part.bytes > ARCHIVE_PART_BYTES)
      throw problems.validation([{ field: 'bytes', message: `a part is at most ${ARCHIVE_PART_BYTES} bytes` }]);
    const put = await this.storage.presignArchivePart(
      { tenantId, jobId },
      keys.jobArchive(tenantId, jobId),
      uploadId,
      part.partNumber,
      part.bytes,
    );
    return { url: put.url, headers: put.headers };
  }

  async complete(workerId: string, jobId: string, request: CompleteArchiveRequest): Promise<void> {
    const { tenantId, uploadId } = await this.held(jobId, workerId);
    const key = keys.jobArchive(tenantId, jobId);
    await this.storage.completeArchive(key, uploadId, request.parts);
    const status = await this.queue.finishJob(jobId, workerId, { key, bytes: request.bytes });
    this.logger.log({ jobId, tenantId, status, archiveBytes: request.bytes }, 'job finished');
  }

  /** The worker gave up on the archive: its upload is aborted and another pass will retry. */
  async release(workerId: string, jobId: string): Promise<void> {
    const held = await this.queue.heldArchive(jobId, workerId);
    if (!held) return;
    if (held.uploadId) await this.storage.abortArchive(keys.jobArchive(held.tenantId, jobId), held.uploadId);
    await this.queue.releaseArchive(jobId, workerId);
  }

  private async held(jobId: string, workerId: string): Promise<{ tenantId: string; uploadId: string }> {
    const held = await this.queue.heldArchive(jobId, workerId);
    if (!held?.uploadId)
      throw problems.conflict('This worker does not hold the archive of that job (its lease lapsed or the job changed).');
    return { tenantId: held.tenantId, uploadId: held.uploadId };
  }

  private async entries(archive: LeasedArchive): Promise<ArchiveClaimMessage['entries']> {
    const names = archiveEntryNames(archive.files);
    const entries: ArchiveClaimMessage['entries'] = [];
    for (const file of archive.files) {
      for (const output of file.outputs) {
        const get = await this.storage.presignOutputGet(archive, output.key);
        entries.push({ name: names.get(output.key) ?? output.key, source: { url: get.url, headers: get.headers } });
      }
    }
    return entries;
  }
}
