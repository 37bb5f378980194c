import { randomUUID } from 'node:crypto';
import type { Readable } from 'node:stream';
import { Injectable } from '@nestjs/common';
import type { TenantContext } from '#database';
import { keys, StreamTooLargeError } from '#storage';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import { isStorageUnavailable } from '../common/unavailable.js';
import {
  type CompleteMultipartDto,
  type DeclareFileDto,
  type DeclaredFileDto,
  type JobFileDto,
  type JobFilePageDto,
  SINGLE_PUT_MAX_BYTES,
  type UploadTargetDto,
} from './dto/file.dto.js';
import { JobStorage } from './job-storage.js';
import { JobsService } from './jobs.service.js';
import { type FileRow, JobsRepository } from './jobs.repository.js';
import { toJobFileDto } from './job.mapper.js';
import { QuotasService } from '../quotas/quotas.service.js';

const MIN_PART_BYTES = 16 * 1024 ** 2;

@Injectable()
export class JobFilesService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
    private readonly storage: JobStorage,
    private readonly quotas: QuotasService,
  ) {}

  async declare(ctx: TenantContext, jobId: string, input: DeclareFileDto): Promise<DeclaredFileDto> {
    const job = await this.jobsService.require(ctx, jobId);
    if (job.status !== 'draft') throw problems.conflict(`The job is ${job.status}; files can only be added to a draft.`);
    await this.quotas.checkDeclare(ctx.tenantId, await this.jobs.countFiles(ctx, jobId), input.bytes);
    const fileId = randomUUID();
    const objectKey = keys.jobRaw(ctx.tenantId, jobId, fileId);
    const multipart = input.bytes > SINGLE_PUT_MAX_BYTES;
    const uploadId = multipart ? await this.storage.startRawMultipart(objectKey) : null;
    const file = await this.jobs.addFile(ctx, {
      id: fileId,
      jobId,
      filename: input.filename,
      bytes: input.bytes,
      objectKey,
      multipartUploadId: uploadId,
    });
    if (!file) {
      if (uploadId) await this.storage.abortRawMultipart(objectKey, uploadId);
      throw problems.conflict('The job is no longer a draft.');
    }
    return { file: toJobFileDto(file), upload: await this.uploadTarget(ctx, jobId, file) };
  }

  async list(ctx: TenantContext, jobId: string, page: PageRequest): Promise<JobFilePageDto> {
    await this.jobsService.require(ctx, jobId);
    const rows = await this.jobs.listFiles(ctx, jobId, page.limit + 1, page.after);
    return toPage(rows, page, toJobFileDto);
  }

  /** Streams a request body to S3 (multipart under the hood); memory stays flat whatever the size. */
  async uploadThroughApi(ctx: TenantContext, jobId: string, fileId: string, body: Readable): Promise<JobFileDto> {
    const file = await this.requireDraftFile(ctx, jobId, fileId);
    let received: number;
    try {
      received = await this.storage.streamRaw(file.objectKey, body, file.bytes);
    } catch (error) {
      if (error instanceof StreamTooLargeError) throw problems.payloadTooLarge(`the body is larger than the declared ${file.bytes} bytes`);
      throw error;
    }
    if (received !== file.bytes) {
      await this.storage.deleteRaw(file.objectKey);
      throw problems.validation([{ field: 'body', message: `received ${received} bytes, declared ${file.bytes}` }]);
    }
    if (file.multipartUploadId) {
      await this.storage.abortRawMultipart(file.objectKey, file.multipartUploadId);
      await this.jobs.clearMultipart(ctx, file.id);
    }
    return toJobFileDto(file);
  }

  async completeMultipart(ctx: TenantContext, jobId: string, fileId: string, input: CompleteMultipartDto): Promise<JobFileDto> {
    const file = await this.requireDraftFile(ctx, jobId, fileId);
    if (!file.multipartUploadId) throw problems.conflict('This file is not a multipart upload (or it was already completed).');
    try {
      await this.storage.completeRawMultipart(file.objectKey, file.multipartUploadId, input.parts);
    } catch (error) {
      if (isStorageUnavailable(error)) throw error; // 503: the parts are still there, retry later
      const detail = (error as { message?: string }).message ?? 'the parts could not be assembled';
      throw problems.conflict(`Completing the upload failed: ${detail}`);
    }
    await this.jobs.clearMultipart(ctx, file.id);
    return toJobFileDto(file);
  }

  /**
   * Removes a declared file from a draft with whatever was uploaded for it (object or multipart
   * parts): the storage first, then the row, so that a failure leaves nothing orphaned.
   */
  async remove(ctx: TenantContext, jobId: string, fileId: string): Promise<void> {
    const file = await this.requireDraftFile(ctx, jobId, fileId, 'files can only be removed from a draft');
    if (file.multipartUploadId) await this.storage.abortRawMultipart(file.objectKey, file.multipartUploadId);
    await this.storage.deleteRaw(file.objectKey);
    if (!(await this.jobs.removeDraftFile(ctx, jobId, fileId))) throw problems.conflict('The job is no longer a draft.');
  }

  /** A fresh upload target (the first one's URLs expire); a multipart upload that was aborted or completed is started again. */
  async renewUploadTarget(ctx: TenantContext, jobId: string, fileId: string): Promise<DeclaredFileDto> {
    let file = await this.requireDraftFile(ctx, jobId, fileId, 'upload targets are only given while it is a draft');
    if (file.bytes > SINGLE_PUT_MAX_BYTES && !file.multipartUploadId) {
      const uploadId = await this.storage.startRawMultipart(file.objectKey);
      await this.jobs.setMultipart(ctx, file.id, uploadId);
      file = { ...file, multipartUploadId: uploadId };
    }
    return { file: toJobFileDto(file), upload: await this.uploadTarget(ctx, jobId, file) };
  }

  private async requireDraftFile(
    ctx: TenantContext,
    jobId: string,
    fileId: string,
    rule = 'uploads are only accepted while it is a draft',
  ): Promise<FileRow> {
    const job = await this.jobsService.require(ctx, jobId);
    const file = await this.jobs.findFile(ctx, jobId, fileId);
    if (!file) throw problems.notFound('File');
    if (job.status !== 'draft') throw problems.conflict(`The job is ${job.status}; ${rule}.`, { jobStatus: job.status });
    return file;
  }

  private async uploadTarget(ctx: TenantContext, jobId: string, file: FileRow): Promise<UploadTargetDto> {
    const apiUploadUrl = `/v1/jobs/${jobId}/files/${file.id}/content`;
    const job = { tenantId: ctx.tenantId, jobId };
    if (!file.multipartUploadId) {
      const put = await this.storage.presignRawPut(job, file.objectKey, file.bytes);
      return { method: 'PUT', url: put.url, headers: put.headers, apiUploadUrl, expiresAt: put.expiresAt.toISOString() };
    }
    const partSize = Math.max(MIN_PART_BYTES, Math.ceil(file.bytes / 10_000));
    const count = Math.ceil(file.bytes / partSize);
    const uploadId = file.multipartUploadId;
    const partBytes = (i: number) => (i === count - 1 ? file.bytes - partSize * (count - 1) : partSize);
    const signed = await Promise.all(
      Array.from({ length: count }, (_, i) => this.storage.presignRawPartPut(job, file.objectKey, uploadId, i + 1, partBytes(i))),
    );
    return {
      method: 'MULTIPART',
      headers: {},
      partSize,
      parts: signed.map((part, i) => ({ partNumber: i + 1, url: part.url, bytes: partBytes(i) })),
      completeUrl: `/v1/jobs/${jobId}/files/${file.id}/complete`,
      apiUploadUrl,
      expiresAt: signed[0].expiresAt.toISOString(),
    };
  }
}
