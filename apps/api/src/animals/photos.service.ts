import type { Readable } from 'node:stream';
import { HttpException, Injectable, Logger, PayloadTooLargeException } from '@nestjs/common';
import type { PhotoEntity, TenantContext } from '#database';
import { isAcceptedPhotoType, normaliseContentType, PHOTO_CONTENT_TYPES, PHOTO_MAX_BYTES, safeFilename } from '#storage';
import { type PageRequest, toPage } from '../common/pagination.js';
import { problems } from '../common/problem.js';
import { AnimalsService } from './animals.service.js';
import type { CreatePhotoUploadDto, PhotoDto, PhotoPageDto, PhotoUploadDto, RenditionDto } from './dto/photo.dto.js';
import { type PhotoLocation, PhotoStorage } from './photo-storage.js';
import { PhotosRepository } from './photos.repository.js';
import { toPhotoView } from './photo.mapper.js';

export interface IncomingFile {
  filename: string;
  contentType: string;
  stream: Readable;
}

const MAX_MB = PHOTO_MAX_BYTES / 1024 / 1024;

@Injectable()
export class PhotosService {
  private readonly logger = new Logger(PhotosService.name);

  constructor(
    private readonly photos: PhotosRepository,
    private readonly animals: AnimalsService,
    private readonly storage: PhotoStorage,
  ) {}

  /** Presigned flow: a pending_upload row and a PUT bound to the declared type and length. */
  async createUpload(ctx: TenantContext, animalId: string, input: CreatePhotoUploadDto): Promise<PhotoUploadDto> {
    const contentType = checkContentType(input.contentType);
    if (input.bytes > PHOTO_MAX_BYTES) throw tooLarge();
    await this.animals.assertExists(ctx, animalId);
    const photo = await this.photos.create(ctx, {
      animalId,
      uploadMethod: 'presigned',
      filename: safeFilename(input.filename),
      contentType,
      bytes: input.bytes,
    });
    const upload = await this.storage.presignOriginalPut(locate(photo), contentType, input.bytes);
    return {
      photo: await this.toDto(photo),
      upload: { method: 'PUT', url: upload.url, headers: upload.headers, expiresAt: upload.expiresAt.toISOString() },
    };
  }

  /**
   * Multipart flow: streams the file to the uploads bucket. Any failure on the way (too large,
   * client gone, storage error) removes the row and whatever reached storage before rethrowing.
   */
  async receiveUpload(ctx: TenantContext, animalId: string, file: IncomingFile): Promise<PhotoDto> {
    let contentType: string;
    try {
      contentType = checkContentType(file.contentType);
      await this.animals.assertExists(ctx, animalId);
    } catch (error) {
      file.stream.resume(); // the interceptor discards the rest of the body
      throw error;
    }
    const photo = await this.photos.create(ctx, {
      animalId,
      uploadMethod: 'multipart',
      filename: safeFilename(file.filename || 'upload'),
      contentType,
      bytes: null,
    });
    const at = locate(photo);
    try {
      const bytes = await this.storage.streamOriginal(at, file.stream, contentType);
      if (bytes === 0) throw problems.validation([{ field: 'file', message: 'file is empty' }]);
      await this.photos.markUploaded(ctx, animalId, photo.id, bytes);
    } catch (error) {
      await this.discard(ctx, at);
      throw toUploadProblem(error);
    }
    const stored = await this.photos.findOne(ctx, animalId, photo.id);
    if (!stored) throw problems.notFound('Photo'); // deleted meanwhile
    return this.toDto(stored);
  }

  async list(ctx: TenantContext, animalId: string, page: PageRequest): Promise<PhotoPageDto> {
    await this.animals.assertExists(ctx, animalId);
    const rows = await this.photos.list(ctx, animalId, page.limit + 1, page.after);
    const { items, nextCursor } = toPage(rows, page, (row) => row);
    return { items: await Promise.all(items.map((row) => this.toDto(row))), nextCursor };
  }

  async get(ctx: TenantContext, animalId: string, photoId: string): Promise<PhotoDto> {
    const photo = await this.photos.findOne(ctx, animalId, photoId);
    if (!photo) throw problems.notFound('Photo');
    return this.toDto(photo);
  }

  async delete(ctx: TenantContext, animalId: string, photoId: string): Promise<void> {
    if (!(await this.photos.delete(ctx, animalId, photoId))) throw problems.notFound('Photo');
    await this.storage.deletePhoto({ tenantId: ctx.tenantId, animalId, photoId }).catch((err: unknown) => {
      this.logger.error({ err, photoId }, 'could not delete the photo’s objects');
    });
  }

  private async discard(ctx: TenantContext, at: PhotoLocation): Promise<void> {
    await this.photos
      .delete(ctx, at.animalId, at.photoId)
      .catch((err: unknown) => this.logger.error({ err, photoId: at.photoId }, 'could not remove a failed upload’s row'));
    await this.storage
      .deletePhoto(at)
      .catch((err: unknown) => this.logger.error({ err, photoId: at.photoId }, 'could not remove a failed upload’s objects'));
  }

  /** The view webhooks carry, with a presigned GET for each rendition. */
  private async toDto(photo: PhotoEntity): Promise<PhotoDto> {
    const view = toPhotoView(photo);
    const renditions: RenditionDto[] = await Promise.all(
      photo.status === 'ready'
        ? photo.renditions.map(async (r, i) => {
            const signed = await this.storage.presignRendition(locate(photo), r);
            return { ...view.renditions[i], url: signed.url, expiresAt: signed.expiresAt.toISOString() };
          })
        : [],
    );
    return { ...view, renditions };
  }
}

function locate(photo: PhotoEntity): PhotoLocation {
  return { tenantId: photo.tenantId, animalId: photo.animalId, photoId: photo.id };
}

function checkContentType(declared: string): string {
  if (!isAcceptedPhotoType(declared)) {
    throw problems.unsupportedMediaType(
      `Photos must be one of ${PHOTO_CONTENT_TYPES.join(', ')}; got ${JSON.stringify(normaliseContentType(declared).slice(0, 100))}.`,
    );
  }
  return normaliseContentType(declared);
}

function tooLarge() {
  return problems.payloadTooLarge(`Photos may be at most ${MAX_MB} MB.`);
}

/**
 * The file stream fails with Nest's PayloadTooLargeException at the limit, and with a parser or
 * socket error when the client stops sending; storage errors (which carry `$metadata`) pass through
 * to the problem mapping (503 while S3 is unavailable).
 */
function toUploadProblem(error: unknown): unknown {
  if (error instanceof PayloadTooLargeException) return tooLarge();
  if (error instanceof HttpException) return error;
  if (typeof error === 'object' && error !== null && '$metadata' in error) return error;
  return problems.validation([{ field: 'file', message: 'the upload ended before the file was complete' }]);
}
