import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { asSystem } from '#database';
import { JobStorage } from '../job-storage.js';
import { type JobRef, JobLifecycleRepository } from './job-lifecycle.repository.js';

const BATCH = 50;

/**
 * Removes what jobs stored, objects before rows so that nothing is orphaned: finishes deletions
 * (`DELETE /v1/jobs/{id}`, resumed here when interrupted) and deletes the RAW files, outputs and
 * ZIPs of finished jobs past their tenant's retention (the job's record stays, downloads answer 410).
 */
@Injectable()
export class JobLifecycleService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(JobLifecycleService.name);
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;

  constructor(
    private readonly lifecycle: JobLifecycleRepository,
    private readonly storage: JobStorage,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    const every = this.config.jobs.sweepSeconds;
    if (every === 0) return;
    this.timer = setInterval(() => void this.sweep(), every * 1000);
    this.timer.unref();
  }

  async onModuleDestroy(): Promise<void> {
    clearInterval(this.timer);
    await this.sweeping;
  }

  /** One pass; concurrent calls share it. Failures are logged and retried by the next pass. */
  sweep(): Promise<void> {
    // Due deletions and expiries span every tenant.
    this.sweeping ??= asSystem('job deletion and retention sweeper', () => this.runSweep()).finally(() => (this.sweeping = undefined));
    return this.sweeping;
  }

  /** Deletes the job's objects, then its rows; safe to repeat after an interruption. */
  async finishDeletion(job: JobRef): Promise<void> {
    await this.storage.deleteJobObjects(job.tenantId, job.id, await this.lifecycle.openUploads(job));
    await this.lifecycle.removeRows(job);
  }

  private async runSweep(): Promise<void> {
    for (const job of await this.lifecycle.deletionsDue(BATCH).catch(() => [])) {
      await this.finishDeletion(job).catch((err: unknown) =>
        this.logger.warn({ err, jobId: job.id }, 'could not finish deleting a job; the next pass retries'),
      );
    }
    for (const job of await this.lifecycle.expiredDue(BATCH).catch(() => [])) {
      try {
        await this.storage.deleteJobObjects(job.tenantId, job.id, await this.lifecycle.openUploads(job));
        await this.lifecycle.markPurged(job);
        this.logger.log({ jobId: job.id, tenantId: job.tenantId }, 'job files deleted at the end of their retention');
      } catch (err) {
        this.logger.warn({ err, jobId: job.id }, 'could not delete an expired job’s files; the next pass retries');
      }
    }
  }
}
