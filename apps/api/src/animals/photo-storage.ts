import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { DeleteObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { Inject, Injectable } from '@nestjs/common';
import type { AppConfig } from '#config';
import type { StoredRendition } from '#database';
import { deletePrefix, keys, type PresignedRequest, presignGet, presignPut } from '#storage';
import { InjectConfig } from '../app-config.provider.js';
import { S3 } from '../storage/storage.module.js';

export interface PhotoLocation {
  tenantId: string;
  animalId: string;
  photoId: string;
}

/** 5 MiB parts, two in flight: a streamed upload holds at most ~10 MiB, whatever the file size. */
const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 2;

/** The S3 side of clinic photos: originals in the uploads bucket, renditions in the processed one. */
@Injectable()
export class PhotoStorage {
  constructor(
    @Inject(S3) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  presignOriginalPut(at: PhotoLocation, contentType: string, bytes: number): Promise<PresignedRequest> {
    return presignPut(
      this.s3,
      { bucket: this.config.s3.buckets.uploads, key: keys.photoOriginal(at.tenantId, at.animalId, at.photoId), contentType, contentLength: bytes },
      this.config.s3.presignTtlSeconds,
    );
  }

  presignRendition(rendition: StoredRendition): Promise<PresignedRequest> {
    return presignGet(this.s3, { bucket: this.config.s3.buckets.processed, key: rendition.key }, this.config.s3.presignTtlSeconds);
  }

  /**
   * Streams `body` to the original's key as a multipart upload, never holding the whole file.
   * Resolves with the byte count; on any error (including the source stream failing) the partial
   * upload is aborted and the error rethrown.
   */
  async streamOriginal(at: PhotoLocation, body: Readable, contentType: string): Promise<number> {
    let bytes = 0;
    const counter = new Transform({
      transform(chunk: Buffer, _encoding, callback) {
        bytes += chunk.length;
        callback(null, chunk);
      },
    });
    const upload = new Upload({
      client: this.s3,
      params: { Bucket: this.config.s3.buckets.uploads, Key: keys.photoOriginal(at.tenantId, at.animalId, at.photoId), Body: counter, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    const uploading = upload.done().catch((error: unknown) => {
      counter.destroy(error as Error); // unblocks the pipeline, which would otherwise wait on backpressure
      throw error;
    });
    const piping = pipeline(body, counter);
    // Both must settle; the source's error is the meaningful one (413, client gone).
    const [piped, uploaded] = await Promise.allSettled([piping, uploading]);
    if (piped.status === 'rejected') {
      await upload.abort().catch(() => undefined);
      throw piped.reason;
    }
    if (uploaded.status === 'rejected') throw uploaded.reason;
    return bytes;
  }

  async deleteOriginal(at: PhotoLocation): Promise<void> {
    await this.s3.send(new DeleteObjectCommand({ Bucket: this.config.s3.buckets.uploads, Key: keys.photoOriginal(at.tenantId, at.animalId, at.photoId) }));
  }

  /** Removes everything stored for one photo, in both buckets. */
  async deletePhoto(at: PhotoLocation): Promise<void> {
    const prefix = keys.photoFolder(at.tenantId, at.animalId, at.photoId);
    await Promise.all([deletePrefix(this.s3, this.config.s3.buckets.uploads, prefix), deletePrefix(this.s3, this.config.s3.buckets.processed, prefix)]);
  }

  /** Removes everything stored for one animal, in both buckets. */
  async deleteAnimal(tenantId: string, animalId: string): Promise<void> {
    const prefix = keys.animalFolder(tenantId, animalId);
    await Promise.all([deletePrefix(this.s3, this.config.s3.buckets.uploads, prefix), deletePrefix(this.s3, this.config.s3.buckets.processed, prefix)]);
  }
}
