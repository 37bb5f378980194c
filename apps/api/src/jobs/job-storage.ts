import type { Readable } from 'node:stream';
import { DeleteObjectCommand, DeleteObjectsCommand, type S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import {
  abortMultipartUpload,
  completeMultipartUpload,
  JOB_OUTPUT_TAGGING,
  MAX_PRESIGN_SECONDS,
  deletePrefix,
  keys,
  startMultipartUpload,
  objectSize,
  type PresignedRequest,
  presignGet,
  presignPartPut,
  presignPut,
  S3_CLIENT,
  streamToObject,
} from '#storage';

const RAW_CONTENT_TYPE = 'application/octet-stream';

/** Whose job a presigned URL is for: every key must lie under `tenants/{tenantId}/jobs/{jobId}/`. */
export interface JobScope {
  tenantId: string;
  jobId: string;
}

const within = (job: JobScope) => keys.jobFolder(job.tenantId, job.jobId);

/** The S3 side of studio jobs: RAW uploads in the raw bucket, outputs and ZIPs in the processed one. */
@Injectable()
export class JobStorage {
  constructor(
    @Inject(S3_CLIENT) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  private get buckets() {
    return this.config.s3.buckets;
  }

  private get ttl() {
    return this.config.s3.presignTtlSeconds;
  }

  /** Size of an uploaded RAW, or undefined when nothing is there. */
  rawSize(key: string): Promise<number | undefined> {
    return objectSize(this.s3, this.buckets.raw, key);
  }

  presignRawPut(job: JobScope, key: string, bytes: number): Promise<PresignedRequest> {
    return presignPut(
      this.s3,
      { bucket: this.buckets.raw, key, within: within(job), contentType: RAW_CONTENT_TYPE, contentLength: bytes },
      this.ttl,
    );
  }

  presignRawPartPut(job: JobScope, key: string, uploadId: string, partNumber: number, bytes: number): Promise<PresignedRequest> {
    return presignPartPut(
      this.s3,
      { bucket: this.buckets.raw, key, within: within(job), uploadId, partNumber, contentLength: bytes },
      this.ttl,
    );
  }

  startRawMultipart(key: string): Promise<string> {
    return startMultipartUpload(this.s3, this.buckets.raw, key, RAW_CONTENT_TYPE);
  }

  completeRawMultipart(key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<void> {
    return completeMultipartUpload(this.s3, { bucket: this.buckets.raw, key, uploadId }, parts);
  }

  abortRawMultipart(key: string, uploadId: string): Promise<void> {
    return abortMultipartUpload(this.s3, this.buckets.raw, key, uploadId);
  }

  /** Streams a RAW through the API; rejects with StreamTooLargeError past `maxBytes`. */
  streamRaw(key: string, body: Readable, maxBytes: number): Promise<number> {
    return streamToObject(this.s3, { bucket: this.buckets.raw, key, contentType: RAW_CONTENT_TYPE, maxBytes }, body);
  }

  async deleteRaw(key: string): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.buckets.raw, Key: key }));
  }

  /** When links presigned now stop working. */
  linkExpiry(): Date {
    return new Date(Date.now() + Math.min(this.ttl, MAX_PRESIGN_SECONDS) * 1000);
  }

  presignDownload(job: JobScope, key: string, downloadName: string): Promise<PresignedRequest> {
    return presignGet(this.s3, { bucket: this.buckets.processed, key, within: within(job), downloadName }, this.ttl);
  }

  /** Deletes every object a job stored, RAW files, outputs and ZIP; safe to repeat. */
  async deleteJobObjects(
    tenantId: string,
    jobId: string,
    uploads: Array<{ key: string; uploadId: string; bucket: 'raw' | 'processed' }>,
  ): Promise<void> {
    for (const upload of uploads) await abortMultipartUpload(this.s3, this.buckets[upload.bucket], upload.key, upload.uploadId);
    const prefix = keys.jobFolder(tenantId, jobId);
    await deletePrefix(this.s3, this.buckets.raw, prefix);
    await deletePrefix(this.s3, this.buckets.processed, prefix);
  }

  // The worker's side: every URL below is scoped to one object of the file or archive it holds.

  presignRawGet(job: JobScope, key: string): Promise<PresignedRequest> {
    return presignGet(this.s3, { bucket: this.buckets.raw, key, within: within(job) }, this.ttl);
  }

  presignOutputPut(job: JobScope, key: string, contentType: string): Promise<PresignedRequest> {
    return presignPut(
      this.s3,
      { bucket: this.buckets.processed, key, within: within(job), contentType, tagging: JOB_OUTPUT_TAGGING },
      this.ttl,
    );
  }

  presignOutputGet(job: JobScope, key: string): Promise<PresignedRequest> {
    return presignGet(this.s3, { bucket: this.buckets.processed, key, within: within(job) }, this.ttl);
  }

  async deleteOutputs(keys: string[]): Promise<void> {
    if (keys.length === 0) return;
    await this.s3.send(
      new DeleteObjectsCommand({ Bucket: this.buckets.processed, Delete: { Objects: keys.map((Key) => ({ Key })), Quiet: true } }),
    );
  }

  startArchive(key: string): Promise<string> {
    return startMultipartUpload(this.s3, this.buckets.processed, key, 'application/zip', JOB_OUTPUT_TAGGING);
  }

  presignArchivePart(job: JobScope, key: string, uploadId: string, partNumber: number, bytes: number): Promise<PresignedRequest> {
    return presignPartPut(
      this.s3,
      { bucket: this.buckets.processed, key, within: within(job), uploadId, partNumber, contentLength: bytes },
      this.ttl,
    );
  }

  completeArchive(key: string, uploadId: string, parts: Array<{ partNumber: number; etag: string }>): Promise<void> {
    return completeMultipartUpload(this.s3, { bucket: this.buckets.processed, key, uploadId }, parts);
  }

  abortArchive(key: string, uploadId: string): Promise<void> {
    return abortMultipartUpload(this.s3, this.buckets.processed, key, uploadId);
  }
}
