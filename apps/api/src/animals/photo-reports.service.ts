import { Injectable, Logger } from '@nestjs/common';
import { isTerminalPhoto, type TenantContext } from '#database';
import { keys } from '#storage';
import type { PhotoReport, PhotoReportAck } from '#thumbnails';
import { problems } from '../common/problem.js';
import { PhotoStorage } from './photo-storage.js';
import { PhotosRepository } from './photos.repository.js';

/**
 * Applies what the thumbnail Lambda reports. The tenant comes from the signed report (the Lambda
 * read it from the object key), so every query stays tenant-scoped. Reports are idempotent: a
 * photo changes state at most once per status, and reports for unknown photos are acknowledged.
 */
@Injectable()
export class PhotoReportsService {
  private readonly logger = new Logger(PhotoReportsService.name);

  constructor(
    private readonly photos: PhotosRepository,
    private readonly storage: PhotoStorage,
  ) {}

  async apply(photoId: string, report: PhotoReport): Promise<PhotoReportAck> {
    const ctx: TenantContext = { tenantId: report.tenantId, kind: 'clinic', apiKeyId: 'internal:thumbnail-lambda' };
    const at = { tenantId: report.tenantId, animalId: report.animalId, photoId };
    const changed = await this.photos.transition(ctx, report.animalId, photoId, this.toOutcome(report, at));
    const current = await this.photos.findOne(ctx, report.animalId, photoId);
    if (!current) {
      // Deleted (or never created): whatever the upload or the Lambda stored for it is an orphan.
      this.logger.log({ photoId, tenantId: report.tenantId, status: report.status }, 'report for an unknown photo dropped');
      await this.storage.deletePhoto(at).catch((err: unknown) => this.logger.warn({ err, photoId }, 'could not remove orphaned objects'));
      return { photoId, status: null, changed: false, proceed: false };
    }
    if (changed) this.logger.log({ photoId, tenantId: report.tenantId, status: current.status }, 'photo status changed');
    return { photoId, status: current.status, changed, proceed: !isTerminalPhoto(current.status) };
  }

  private toOutcome(report: PhotoReport, at: { tenantId: string; animalId: string; photoId: string }) {
    if (report.status !== 'ready')
      return report.status === 'failed' ? { status: 'failed' as const, reason: report.reason } : { status: 'processing' as const };
    const folder = keys.photoFolder(at.tenantId, at.animalId, at.photoId);
    // Only keys inside the photo's own folder are ever presigned later.
    if (report.renditions.some((r) => !r.key.startsWith(folder))) {
      throw problems.validation([{ field: 'renditions', message: 'every rendition key must be inside the photo’s folder' }]);
    }
    return {
      status: 'ready' as const,
      original: { ...report.original, takenAt: report.original.takenAt ? new Date(report.original.takenAt) : null },
      renditions: report.renditions,
    };
  }
}
