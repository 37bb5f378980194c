import { randomUUID } from 'node:crypto';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  CompleteMultipartUploadCommand,
  CreateMultipartUploadCommand,
  DeleteObjectCommand,
  UploadPartCommand,
  type S3Client,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '#config';
import type { TenantContext } from '#database';
import { abortMultipartUpload, keys, MAX_PRESIGN_SECONDS, presignPut } from '#storage';
import { InjectConfig } from '../app-config.provider.js';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import { S3 } from '../storage/storage.module.js';
import {
  type CompleteMultipartDto,
  type DeclareFileDto,
  type DeclaredFileDto,
  type JobFileDto,
  type JobFilePageDto,
  SINGLE_PUT_MAX_BYTES,
  type UploadTargetDto,
} from './dto/file.dto.js';
import { JobsService } from './jobs.service.js';
import { type FileRow, JobsRepository } from './jobs.repository.js';
import { toJobFileDto } from './mappers.js';

const MAX_FILES_PER_JOB = 1000;
const MIN_PART_BYTES = 16 * 1024 ** 2;
/** S3's smallest part: a streamed upload holds at most (queueSize + 1) of these in memory. */
const STREAM_PART_BYTES = 5 * 1024 ** 2;
const CONTENT_TYPE = 'application/octet-stream';

@Injectable()
export class JobFilesService {
  constructor(
    private readonly jobs: JobsRepository,
    private readonly jobsService: JobsService,
    @Inject(S3) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async declare(ctx: TenantContext, jobId: string, input: DeclareFileDto): Promise<DeclaredFileDto> {
    const job = await this.jobsService.require(ctx, jobId);
    if (job.status !== 'draft') throw problems.conflict(`The job is ${job.status}; files can only be added to a draft.`);
    if ((await this.jobs.countFiles(ctx, jobId)) >= MAX_FILES_PER_JOB) {
      throw problems.conflict(`A job holds at most ${MAX_FILES_PER_JOB} files.`);
    }
    const fileId = randomUUID();
    const objectKey = keys.jobRaw(ctx.tenantId, jobId, fileId);
    const multipart = input.bytes > SINGLE_PUT_MAX_BYTES;
    const uploadId = multipart ? await this.startMultipart(objectKey) : null;
    const file = await this.jobs.addFile(ctx, { id: fileId, jobId, filename: input.filename, bytes: input.bytes, objectKey, multipartUploadId: uploadId });
    if (!file) {
      if (uploadId) await this.abortMultipart(objectKey, uploadId);
      throw problems.conflict('The job is no longer a draft.');
    }
    return { file: toJobFileDto(file), upload: await this.uploadTarget(jobId, file) };
  }

  async list(ctx: TenantContext, jobId: string, page: PageRequest): Promise<JobFilePageDto> {
    await this.jobsService.require(ctx, jobId);
    const rows = await this.jobs.listFiles(ctx, jobId, page.limit + 1, page.after);
    return toPage(rows, page, toJobFileDto);
  }

  /** Streams a request body to S3 (multipart under the hood); memory stays flat whatever the size. */
  async uploadThroughApi(ctx: TenantContext, jobId: string, fileId: string, body: Readable): Promise<JobFileDto> {
    const file = await this.requireDraftFile(ctx, jobId, fileId);
    let received = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        received += chunk.length;
        if (received > file.bytes) callback(new UploadSizeError(`the body is larger than the declared ${file.bytes} bytes`));
        else callback(null, chunk);
      },
    });
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.config.s3.buckets.raw, Key: file.objectKey, Body: counter, ContentType: CONTENT_TYPE },
      partSize: STREAM_PART_BYTES,
      queueSize: 2,
      leavePartsOnError: false,
    });
    try {
      await Promise.all([pipeline(body, counter), upload.done()]);
    } catch (error) {
      await upload.abort().catch(() => undefined);
      if (error instanceof UploadSizeError) throw problems.payloadTooLarge(error.message);
      throw error;
    }
    if (received !== file.bytes) {
      await this.s3.send(new DeleteObjectCommand({ Bucket: this.config.s3.buckets.raw, Key: file.objectKey }));
      throw problems.validation([{ field: 'body', message: `received ${received} bytes, declared ${file.bytes}` }]);
    }
    if (file.multipartUploadId) {
      await this.abortMultipart(file.objectKey, file.multipartUploadId);
      await this.jobs.clearMultipart(ctx, file.id);
    }
    return toJobFileDto(file);
  }

  async completeMultipart(ctx: TenantContext, jobId: string, fileId: string, input: CompleteMultipartDto): Promise<JobFileDto> {
    const file = await this.requireDraftFile(ctx, jobId, fileId);
    if (!file.multipartUploadId) throw problems.conflict('This file is not a multipart upload (or it was already completed).');
    const parts = [...input.parts].sort((a, b) => a.partNumber - b.partNumber);
    try {
      await this.s3.send(
        new CompleteMultipartUploadCommand({
          Bucket: this.config.s3.buckets.raw,
          Key: file.objectKey,
          UploadId: file.multipartUploadId,
          MultipartUpload: { Parts: parts.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })) },
        }),
      );
    } catch (error) {
      const detail = (error as { message?: string }).message ?? 'the parts could not be assembled';
      throw problems.conflict(`Completing the upload failed: ${detail}`);
    }
    await this.jobs.clearMultipart(ctx, file.id);
    return toJobFileDto(file);
  }

  private async requireDraftFile(ctx: TenantContext, jobId: string, fileId: string): Promise<FileRow> {
    const job = await this.jobsService.require(ctx, jobId);
    const file = await this.jobs.findFile(ctx, jobId, fileId);
    if (!file) throw problems.notFound('File');
    if (job.status !== 'draft') throw problems.conflict(`The job is ${job.status}; uploads are only accepted while it is a draft.`);
    return file;
  }

  private async uploadTarget(jobId: string, file: FileRow): Promise<UploadTargetDto> {
    const ttl = this.config.s3.presignTtlSeconds;
    const apiUploadUrl = `/v1/jobs/${jobId}/files/${file.id}/content`;
    if (!file.multipartUploadId) {
      const put = await presignPut(
        this.s3,
        { bucket: this.config.s3.buckets.raw, key: file.objectKey, contentType: CONTENT_TYPE, contentLength: file.bytes },
        ttl,
      );
      return { method: 'PUT', url: put.url, headers: put.headers, apiUploadUrl, expiresAt: put.expiresAt.toISOString() };
    }
    const partSize = Math.max(MIN_PART_BYTES, Math.ceil(file.bytes / 10_000));
    const count = Math.ceil(file.bytes / partSize);
    const expiresIn = Math.min(ttl, MAX_PRESIGN_SECONDS);
    const parts = await Promise.all(
      Array.from({ length: count }, async (_, i) => ({
        partNumber: i + 1,
        url: await getSignedUrl(
          this.s3,
          new UploadPartCommand({ Bucket: this.config.s3.buckets.raw, Key: file.objectKey, UploadId: file.multipartUploadId!, PartNumber: i + 1 }),
          { expiresIn },
        ),
      })),
    );
    return {
      method: 'MULTIPART',
      headers: {},
      partSize,
      parts,
      completeUrl: `/v1/jobs/${jobId}/files/${file.id}/complete`,
      apiUploadUrl,
      expiresAt: new Date(Date.now() + expiresIn * 1000).toISOString(),
    };
  }

  private async startMultipart(key: string): Promise<string> {
    const created = await this.s3.send(new CreateMultipartUploadCommand({ Bucket: this.config.s3.buckets.raw, Key: key, ContentType: CONTENT_TYPE }));
    if (!created.UploadId) throw new Error('CreateMultipartUpload returned no upload id');
    return created.UploadId;
  }

  private async abortMultipart(key: string, uploadId: string): Promise<void> {
    await abortMultipartUpload(this.s3, this.config.s3.buckets.raw, key, uploadId);
  }
}

class UploadSizeError extends Error {}
