import { setTimeout as sleep } from 'node:timers/promises';
import { buildJobArchive } from './archive.js';
import { type FileProcessorDeps, processFile } from './process-file.js';
import { Semaphore } from './semaphore.js';

export type WorkerLoopDeps = Omit<FileProcessorDeps, 'cpu' | 'stopping'> & {
  concurrency: number;
  idleShutdownSeconds: number;
  pollMs?: number;
};

/**
 * Claims files while there is work: `concurrency` files develop at once (one per core) and one
 * more is claimed ahead so its download overlaps the CPU work. Builds the ZIP of every job whose
 * files are all finished. Exits after `idleShutdownSeconds` without work, or when stop() is
 * called: files already developing finish, files still waiting for a core are released.
 */
export class WorkerLoop {
  private stopping = false;
  private readonly stopSignal = new AbortController();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly cpu: Semaphore;
  private wake: (() => void) | undefined;
  private archivePass: Promise<void> | undefined;
  private archivePassAgain = false;

  constructor(private readonly deps: WorkerLoopDeps) {
    this.cpu = new Semaphore(deps.concurrency);
  }

  stop(): void {
    this.stopping = true;
    this.stopSignal.abort(new Error('the worker is stopping'));
    this.wake?.();
  }

  async run(): Promise<'idle' | 'stopped'> {
    const { logger } = this.deps;
    const maxClaimed = this.deps.concurrency + 1;
    let lastWorkAt = Date.now();
    await this.buildArchives();
    while (!this.stopping) {
      if (this.inFlight.size < maxClaimed) {
        const file = await this.deps.api.claimFile();
        if (file) {
          lastWorkAt = Date.now();
          const task = processFile(file, { ...this.deps, cpu: this.cpu, stopping: this.stopSignal.signal })
            .then(() => this.buildArchives())
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
        await this.buildArchives();
        if (Date.now() - lastWorkAt >= this.deps.idleShutdownSeconds * 1000) {
          logger.info({ idleSeconds: this.deps.idleShutdownSeconds }, 'idle; shutting down');
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

  /**
   * Builds the ZIP of every job that is ready for one (the API leases each to one worker). One pass
   * at a time: the API gives a worker back a lease it already holds (its answer may have been lost),
   * so two passes of one worker must never claim side by side.
   */
  private buildArchives(): Promise<void> {
    if (this.archivePass) {
      this.archivePassAgain = true; // a job may have become due after the running pass last looked
      return this.archivePass;
    }
    this.archivePass = (async () => {
      do {
        this.archivePassAgain = false;
        await this.buildDueArchives();
      } while (this.archivePassAgain);
    })().finally(() => {
      this.archivePass = undefined;
    });
    return this.archivePass;
  }

  private async buildDueArchives(): Promise<void> {
    for (;;) {
      const claim = await this.deps.api.claimArchive();
      if (!claim) return;
      const log = this.deps.logger.child({ jobId: claim.jobId });
      try {
        const { bytes } = await buildJobArchive(this.deps.api, claim);
        log.info({ archiveBytes: bytes }, 'job archive built');
      } catch (err) {
        log.error({ err }, 'could not build the job archive; another pass will retry');
        await this.deps.api.releaseArchive(claim.jobId).catch(() => undefined);
        return;
      }
    }
  }
}
