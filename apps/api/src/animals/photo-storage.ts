import type { Readable } from 'node:stream';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import type { StoredRendition } from '#database';
import { deletePrefix, keys, type PresignedRequest, presignGet, presignPut, S3_CLIENT, streamToObject } from '#storage';

export interface PhotoLocation {
  tenantId: string;
  animalId: string;
  photoId: string;
}

/** The S3 side of clinic photos: originals in the uploads bucket, renditions in the processed one. */
@Injectable()
export class PhotoStorage {
  constructor(
    @Inject(S3_CLIENT) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  presignOriginalPut(at: PhotoLocation, contentType: string, bytes: number): Promise<PresignedRequest> {
    return presignPut(
      this.s3,
      {
        bucket: this.config.s3.buckets.uploads,
        key: keys.photoOriginal(at.tenantId, at.animalId, at.photoId),
        within: keys.photoFolder(at.tenantId, at.animalId, at.photoId),
        contentType,
        contentLength: bytes,
      },
      this.config.s3.presignTtlSeconds,
    );
  }

  /** A rendition's key comes from the Lambda's report: it must still lie in this photo's folder. */
  presignRendition(at: PhotoLocation, rendition: StoredRendition): Promise<PresignedRequest> {
    const within = keys.photoFolder(at.tenantId, at.animalId, at.photoId);
    return presignGet(this.s3, { bucket: this.config.s3.buckets.processed, key: rendition.key, within }, this.config.s3.presignTtlSeconds);
  }

  /** Streams `body` to the original's key, never holding the whole file; resolves with the byte count. */
  streamOriginal(at: PhotoLocation, body: Readable, contentType: string): Promise<number> {
    return streamToObject(
      this.s3,
      { bucket: this.config.s3.buckets.uploads, key: keys.photoOriginal(at.tenantId, at.animalId, at.photoId), contentType },
      body,
    );
  }

  async deleteOriginal(at: PhotoLocation): Promise<void> {
    await this.s3.send(
      new DeleteObjectCommand({ Bucket: this.config.s3.buckets.uploads, Key: keys.photoOriginal(at.tenantId, at.animalId, at.photoId) }),
    );
  }

  /** Removes everything stored for one photo, in both buckets. */
  async deletePhoto(at: PhotoLocation): Promise<void> {
    const prefix = keys.photoFolder(at.tenantId, at.animalId, at.photoId);
    await Promise.all([
      deletePrefix(this.s3, this.config.s3.buckets.uploads, prefix),
      deletePrefix(this.s3, this.config.s3.buckets.processed, prefix),
    ]);
  }

  /** Removes everything stored for one animal, in both buckets. */
  async deleteAnimal(tenantId: string, animalId: string): Promise<void> {
    const prefix = keys.animalFolder(tenantId, animalId);
    await Promise.all([
      deletePrefix(this.s3, this.config.s3.buckets.uploads, prefix),
      deletePrefix(this.s3, this.config.s3.buckets.processed, prefix),
    ]);
  }
}
