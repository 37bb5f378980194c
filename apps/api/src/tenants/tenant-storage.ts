import type { S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { abortMultipartUpload, abortMultipartUploadsUnder, deletePrefix, S3_CLIENT, tenantPrefix } from '#storage';

/** A multipart upload a row knows of (a RAW file's, a ZIP's). */
export interface KnownUpload {
  bucket: 'raw' | 'processed';
  key: string;
  uploadId: string;
}

/** The S3 side of a whole tenant: everything it stored lies under `tenants/{tenantId}/` in some bucket. */
@Injectable()
export class TenantStorage {
  constructor(
    @Inject(S3_CLIENT) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  /**
   * Aborts the tenant's unfinished multipart uploads and deletes every object under its prefix, in
   * every bucket. Each step is idempotent, so an interrupted purge is finished by running it again.
   */
  async purge(tenantId: string, known: KnownUpload[]): Promise<{ objects: number; uploads: number }> {
    const buckets = this.config.s3.buckets;
    const prefix = tenantPrefix(tenantId);
    for (const upload of known) await abortMultipartUpload(this.s3, buckets[upload.bucket], upload.key, upload.uploadId);
    let objects = 0;
    let uploads = known.length;
    for (const bucket of new Set<string>(Object.values(buckets))) {
      uploads += await abortMultipartUploadsUnder(this.s3, bucket, prefix);
      objects += await deletePrefix(this.s3, bucket, prefix);
    }
    return { objects, uploads };
  }
}
