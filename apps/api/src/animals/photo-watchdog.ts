import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { PhotoStorage } from './photo-storage.js';
import { asSystem } from '#database';
import { PhotosRepository } from './photos.repository.js';

/**
 * Nothing stays `processing` forever. The thumbnail Lambda retries S3 and its reports, and its
 * invocation is retried, but when all of that is spent (a long storage outage, an event that never
 * arrives) the photo would wait for a report that never comes. Past PHOTO_PROCESSING_TIMEOUT_SECONDS
 * without a change it is failed with a reason the clinic can act on (upload it again).
 */
@Injectable()
export class PhotoWatchdog implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(PhotoWatchdog.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<number> | undefined;

  constructor(
    private readonly photos: PhotosRepository,
    private readonly storage: PhotoStorage,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const timeout = this.config.photoProcessingTimeoutSeconds;
    const every = Math.min(60, Math.max(1, Math.floor(timeout / 4)));
    this.timer = setInterval(() => {
      this.sweeping ??= this.sweep().finally(() => (this.sweeping = undefined));
    }, every * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** Fails the photos stuck in `processing` or `pending_upload`; answers how many. */
  async sweep(): Promise<number> {
    return (await this.sweepProcessing()) + (await this.sweepUploads());
  }

  private async sweepProcessing(): Promise<number> {
    const timeout = this.config.photoProcessingTimeoutSeconds;
    try {
      const ids = await asSystem('photo watchdog', () =>
        this.photos.failStale(timeout, `processing did not finish within ${formatDuration(timeout)}; upload the photo again`),
      );
      if (ids.length > 0) this.logger.warn({ photoIds: ids, timeoutSeconds: timeout }, 'photos stuck in processing were failed');
      return ids.length;
    } catch (err) {
      this.logger.warn({ err }, 'could not sweep photos stuck in processing; the next pass retries');
      return 0;
    }
  }

  /**
   * A photo declared but never uploaded within PHOTO_UPLOAD_TIMEOUT_SECONDS is failed, and whatever
   * reached storage for it (a late or partial upload) is removed so that no object outlives its row's purpose.
   */
  private async sweepUploads(): Promise<number> {
    const timeout = this.config.photoUploadTimeoutSeconds;
    try {
      const failed = await asSystem('photo watchdog', () =>
        this.photos.failAbandonedUploads(timeout, `the upload did not arrive within ${formatDuration(timeout)}; declare the photo again`),
      );
      for (const at of failed) await this.storage.deletePhoto(at);
      if (failed.length > 0)
        this.logger.warn({ photoIds: failed.map((p) => p.photoId), timeoutSeconds: timeout }, 'photos never uploaded were failed');
      return failed.length;
    } catch (err) {
      this.logger.warn({ err }, 'could not sweep photos never uploaded; the next pass retries');
      return 0;
    }
  }
}

function formatDuration(seconds: number): string {
  if (seconds % 3600 === 0) return `${seconds / 3600} h`;
  return seconds % 60 === 0 ? `${seconds / 60} min` : `${seconds} s`;
}
