import { setTimeout as sleep } from 'node:timers/promises';
import { buildJobArchive } from './archive.js';
import { type FileProcessorDeps, processFile } from './process-file.js';
import { Semaphore } from './semaphore.js';

export type WorkerLoopDeps = Omit<FileProcessorDeps, 'cpu'> & { pollMs?: number };

const ARCHIVE_LEASE_SECONDS = 600;

/**
 * Claims files while there is work: `concurrency` files develop at once (one per core) and one
 * more is claimed ahead so its download overlaps the CPU work. Exits after `idleShutdownSeconds`
 * without work, or when stop() is called (in-flight files finish first).
 */
export class WorkerLoop {
  private stopping = false;
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly cpu: Semaphore;
  private wake: (() => void) | undefined;

  constructor(private readonly deps: WorkerLoopDeps) {
    this.cpu = new Semaphore(deps.processing.concurrency);
  }

  stop(): void {
    this.stopping = true;
    this.wake?.();
  }

  async run(): Promise<'idle' | 'stopped'> {
    const { processing, logger } = this.deps;
    const maxClaimed = processing.concurrency + 1;
    let lastWorkAt = Date.now();
    await this.finishReadyJobs();
    while (!this.stopping) {
      if (this.inFlight.size < maxClaimed) {
        await this.deps.queue.failAbandoned().then((jobs) => Promise.all(jobs.map((id) => this.tryFinish(id))));
        const file = await this.deps.queue.claim(this.deps.workerId);
        if (file) {
          lastWorkAt = Date.now();
          const task = processFile(file, { ...this.deps, cpu: this.cpu })
            .then(() => this.tryFinish(file.jobId))
            .catch((err: unknown) => logger.error({ err, fileId: file.id }, 'file task crashed'))
            .finally(() => {
              this.inFlight.delete(task);
              lastWorkAt = Date.now();
              this.wake?.();
            });
          this.inFlight.add(task);
          continue;
        }
      }
      if (this.inFlight.size === 0) {
        await this.finishReadyJobs();
        if (Date.now() - lastWorkAt >= processing.idleShutdownSeconds * 1000) {
          logger.info({ idleSeconds: processing.idleShutdownSeconds }, 'idle; shutting down');
          return 'idle';
        }
      }
      await this.pause();
    }
    await Promise.allSettled([...this.inFlight]);
    return 'stopped';
  }

  private async pause(): Promise<void> {
    const wait = new Promise<void>((resolve) => {
      this.wake = resolve;
    });
    await Promise.race([wait, sleep(this.deps.pollMs ?? 250)]);
    this.wake = undefined;
  }

  private async finishReadyJobs(): Promise<void> {
    for (const jobId of await this.deps.queue.finishableJobs()) await this.tryFinish(jobId);
  }

  /** Builds the archive and completes the job once its last file is terminal (one worker wins). */
  private async tryFinish(jobId: string): Promise<void> {
    const claim = await this.deps.queue.claimArchive(jobId, ARCHIVE_LEASE_SECONDS);
    if (!claim) return;
    const log = this.deps.logger.child({ jobId, tenantId: claim.tenantId });
    try {
      const archive = claim.counts.done > 0 ? await buildJobArchive(this.deps.s3, this.deps.buckets, claim) : undefined;
      const status = await this.deps.queue.finishJob(claim, archive);
      log.info({ status, archiveBytes: archive?.bytes }, 'job finished');
    } catch (err) {
      log.error({ err }, 'could not build the job archive; another pass will retry');
      await this.deps.queue.releaseArchive(jobId);
    }
  }
}
