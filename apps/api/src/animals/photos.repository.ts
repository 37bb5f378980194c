import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, Repository } from 'typeorm';
import {
  type Cursor,
  pageAfter,
  PhotoEntity,
  photoSourcesOf,
  type PhotoUploadMethod,
  rowsOf,
  type StoredRendition,
  type TenantContext,
} from '#database';
import { emitWebhookEvent } from '../webhooks/outbox.js';
import { toPhotoView } from './photo.mapper.js';

export interface NewPhoto {
  animalId: string;
  uploadMethod: PhotoUploadMethod;
  filename: string;
  contentType: string;
  bytes: number | null;
}

export type PhotoOutcome =
  | { status: 'ready'; original: { format: string; width: number; height: number; takenAt: Date | null }; renditions: StoredRendition[] }
  | { status: 'failed'; reason: string };

@Injectable()
export class PhotosRepository {
  private readonly photos: Repository<PhotoEntity>;

  constructor(@InjectDataSource() private readonly db: DataSource) {
    this.photos = db.getRepository(PhotoEntity);
  }

  /** Fails on the (tenant, animal) foreign key when the animal is not this tenant's. */
  async create(ctx: TenantContext, photo: NewPhoto): Promise<PhotoEntity> {
    return this.photos.save(
      this.photos.create({
        ...photo,
        id: randomUUID(),
        tenantId: ctx.tenantId,
        status: 'pending_upload',
        failureReason: null,
        originalFormat: null,
        originalWidth: null,
        originalHeight: null,
        takenAt: null,
        renditions: [],
        processedAt: null,
      }),
    );
  }

  async list(ctx: TenantContext, animalId: string, limit: number, after?: Cursor): Promise<PhotoEntity[]> {
    const query = this.photos
      .createQueryBuilder('p')
      .where('p.tenant_id = :tenantId AND p.animal_id = :animalId', { tenantId: ctx.tenantId, animalId });
    return pageAfter(query, 'p', after, limit).getMany();
  }

  async findOne(ctx: TenantContext, animalId: string, id: string): Promise<PhotoEntity | null> {
    return this.photos.findOneBy({ id, animalId, tenantId: ctx.tenantId });
  }

  async delete(ctx: TenantContext, animalId: string, id: string): Promise<boolean> {
    const result = await this.photos.delete({ id, animalId, tenantId: ctx.tenantId });
    return (result.affected ?? 0) > 0;
  }

  /** Records the streamed size and moves pending_upload to processing (never backwards). */
  async markUploaded(ctx: TenantContext, animalId: string, id: string, bytes: number): Promise<void> {
    await this.photos
      .createQueryBuilder()
      .update()
      .set({ bytes, status: () => `CASE WHEN status = 'pending_upload' THEN 'processing' ELSE status END` })
      .where('id = :id AND animal_id = :animalId AND tenant_id = :tenantId', { id, animalId, tenantId: ctx.tenantId })
      .execute();
  }

  /**
   * Moves the photo to `to` only from a status allowed to precede it, in one guarded UPDATE, so
   * duplicate or concurrent reports change it once. Returns whether this call changed it.
   */
  async transition(ctx: TenantContext, animalId: string, id: string, outcome: PhotoOutcome | { status: 'processing' }): Promise<boolean> {
    const set: Partial<Record<keyof PhotoEntity, unknown>> = { status: outcome.status };
    if (outcome.status === 'ready') {
      Object.assign(set, {
        originalFormat: outcome.original.format,
        originalWidth: outcome.original.width,
        originalHeight: outcome.original.height,
        takenAt: outcome.original.takenAt,
        renditions: outcome.renditions,
        failureReason: null,
        processedAt: () => 'now()',
      });
    } else if (outcome.status === 'failed') {
      Object.assign(set, { failureReason: outcome.reason, renditions: [], processedAt: () => 'now()' });
    }
    // The change and its webhook event (photo.ready / photo.failed) commit together or not at all.
    return this.db.transaction(async (manager) => {
      const result = await manager
        .createQueryBuilder()
        .update(PhotoEntity)
        .set(set as never)
        .where('id = :id AND animal_id = :animalId AND tenant_id = :tenantId AND status IN (:...from)', {
          id,
          animalId,
          tenantId: ctx.tenantId,
          from: photoSourcesOf(outcome.status),
        })
        .execute();
      const changed = (result.affected ?? 0) > 0;
      if (changed && (outcome.status === 'ready' || outcome.status === 'failed')) {
        const photo = await manager.findOneByOrFail(PhotoEntity, { id, tenantId: ctx.tenantId });
        await emitWebhookEvent(manager, ctx.tenantId, `photo.${outcome.status}`, { photo: toPhotoView(photo) });
      }
      return changed;
    });
  }

  /**
   * Fails every photo (of any tenant) still `processing` `olderThanSeconds` after its last change:
   * the thumbnail Lambda gave up on it (retries exhausted, the event lost). Answers the ids.
   */
  async failStale(olderThanSeconds: number, reason: string): Promise<string[]> {
    const result = await this.photos
      .createQueryBuilder()
      .update()
      .set({ status: 'failed', failureReason: reason, renditions: [], processedAt: () => 'now()' } as never)
      .where(`status = 'processing' AND updated_at < now() - make_interval(secs => :seconds)`, { seconds: olderThanSeconds })
      .returning(['id'])
      .execute();
    return (result.raw as Array<{ id: string }>).map((row) => row.id);
  }

  /**
   * Fails every photo (of any tenant) still `pending_upload` `olderThanSeconds` after it was
   * declared: the client never finished the upload. Answers where each one's objects would be.
   */
  async failAbandonedUploads(
    olderThanSeconds: number,
    reason: string,
  ): Promise<Array<{ tenantId: string; animalId: string; photoId: string }>> {
    const result: unknown = await this.photos.query(
      `UPDATE photos SET status = 'failed', failure_reason = $2, renditions = '[]'::jsonb, processed_at = now(), updated_at = now()
        WHERE status = 'pending_upload' AND updated_at < now() - make_interval(secs => $1)
        RETURNING id, tenant_id, animal_id`,
      [olderThanSeconds, reason],
    );
    return rowsOf<{ id: string; tenant_id: string; animal_id: string }>(result).map((row) => ({
      tenantId: row.tenant_id,
      animalId: row.animal_id,
      photoId: row.id,
    }));
  }
}
