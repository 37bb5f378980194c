import { randomUUID } from 'node:crypto';
import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
} from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { asSystem } from '#database';
import { JobQueueRepository } from '../workers/job-queue.repository.js';
import { issueWorkerToken } from '../workers/worker-token.js';
import { WorkersRepository } from '../workers/workers.repository.js';
import { CapacityLock } from './capacity-lock.js';
import { type LaunchTrigger, WORKER_LAUNCHER, type WorkerExit, type WorkerLauncher } from './worker-launcher.js';

/** How long a worker may go without a heartbeat before it no longer counts as capacity. */
const STALE_WORKER_SECONDS = { local: 30, ec2: 300 } as const;

/**
 * Decides how many workers the backlog needs and starts the missing ones, never more than
 * MAX_WORKERS. Runs on submit, when a worker dies, and every few seconds as a safety net. Every
 * worker gets its own token at launch, revoked when it stops.
 */
@Injectable()
export class CapacityService implements OnApplicationBootstrap, OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(CapacityService.name);
  private running: Promise<void> = Promise.resolve();
  /** Worker exits the registry could not record yet (database down): retried by every pass. */
  private readonly unrecordedStops = new Map<string, string>();
  private timer: NodeJS.Timeout | undefined;
  private stoppingWorkers: Promise<void> | undefined;

  constructor(
    @Inject(WORKER_LAUNCHER) private readonly launcher: WorkerLauncher,
    private readonly workers: WorkersRepository,
    private readonly queue: JobQueueRepository,
    private readonly lock: CapacityLock,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.launcher.onWorkerExit?.((exit) => void this.onExit(exit));
    const every = this.config.launcher.reconcileSeconds;
    if (every === 0) return;
    // The periodic pass skips when another API instance is running one.
    this.timer = setInterval(() => void this.ensureCapacity({}, { wait: false }).catch(() => undefined), every * 1000);
    this.timer.unref();
  }

  /**
   * As shutdown starts (while the HTTP side drains, and before the database closes): local workers
   * are asked to finish or release their files, which they report through the still-open worker
   * routes, and record their own stop.
   */
  onModuleDestroy(): void {
    clearInterval(this.timer);
    this.stoppingWorkers ??= this.running
      .catch(() => undefined)
      .then(() => this.launcher.shutdown())
      .catch((err: unknown) => this.logger.error({ err }, 'could not stop the batch workers'));
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.onModuleDestroy();
    await this.stoppingWorkers;
  }

  /**
   * Serialised within this process and, through a PostgreSQL advisory lock, across API instances:
   * concurrent calls never double-launch, and there are never more than MAX_WORKERS workers. The
   * backlog and the worker registry span every tenant, whoever triggered the check: system scope.
   */
  ensureCapacity(trigger: LaunchTrigger = {}, options: { wait?: boolean } = {}): Promise<void> {
    this.running = this.running
      .catch(() => undefined)
      .then(async () => {
        await asSystem('worker capacity', () => this.lock.run(() => this.reconcile(trigger), options.wait ?? true));
      });
    return this.running;
  }

  /** Records a worker's stop and revokes its credentials (its own report, or its process exiting). */
  async workerStopped(workerId: string, reason: string): Promise<void> {
    if (await asSystem('worker registry', () => this.workers.stopped(workerId, reason))) await this.launcher.forget(workerId);
  }

  private async onExit(exit: WorkerExit): Promise<void> {
    await this.workerStopped(exit.workerId, exit.reason).catch((err: unknown) => {
      // Until it is recorded the worker counts as alive, and no replacement would start for its work.
      this.unrecordedStops.set(exit.workerId, exit.reason);
      this.logger.warn({ err, workerId: exit.workerId }, 'could not record a worker stop; the next capacity pass retries');
    });
    if (!exit.clean) await this.ensureCapacity().catch(() => undefined);
  }

  private async recordPendingStops(): Promise<void> {
    for (const [workerId, reason] of this.unrecordedStops) {
      await this.workerStopped(workerId, reason);
      this.unrecordedStops.delete(workerId);
    }
  }

  /**
   * Ends the workers that stopped sending heartbeats (crashed without powering off, hung) or have
   * run longer than WORKER_MAX_LIFETIME_SECONDS, before counting capacity: a replacement is only
   * launched for a worker that is being terminated, never beside it.
   */
  private async reapOverdue(): Promise<void> {
    const overdue = await this.workers.overdue(
      this.launcher.kind,
      STALE_WORKER_SECONDS[this.launcher.kind],
      this.config.launcher.maxLifetimeSeconds,
    );
    for (const worker of overdue) {
      try {
        await this.launcher.terminate({ workerId: worker.id, instanceId: worker.instanceId });
        await this.workers.stopped(worker.id, `terminated: ${worker.reason}`);
      } catch (err) {
        this.logger.error(
          { err, workerId: worker.id, instanceId: worker.instanceId },
          'could not terminate an overdue batch worker; the next pass retries',
        );
      }
    }
  }

  private async reconcile(trigger: LaunchTrigger): Promise<void> {
    const { processing, launcher } = this.config;
    await this.recordPendingStops();
    await this.reapOverdue();
    const claimable = await this.queue.countClaimable(processing.maxAttempts, processing.tenantMaxFilesInFlight);
    const work = claimable + (await this.queue.countArchivesDue());
    if (work === 0) return;
    const alive = await this.workers.countAlive(this.launcher.kind, STALE_WORKER_SECONDS[this.launcher.kind]);
    const wanted = Math.min(launcher.maxWorkers, Math.ceil(work / processing.concurrency));
    for (let i = alive; i < wanted; i += 1) {
      try {
        await this.launchOne(trigger);
      } catch (err) {
        this.logger.error({ err }, 'could not start a batch worker; the next pass retries');
        return;
      }
    }
  }

  private async launchOne(trigger: LaunchTrigger): Promise<void> {
    const workerId = randomUUID();
    const { token, hash } = issueWorkerToken();
    await this.workers.register({
      id: workerId,
      kind: this.launcher.kind,
      tokenHash: hash,
      tokenTtlSeconds: this.config.launcher.tokenTtlSeconds,
    });
    try {
      const { instanceId } = await this.launcher.launch({ workerId, token }, trigger);
      if (instanceId) await this.workers.attachInstance(workerId, instanceId);
    } catch (error) {
      await this.workers.stopped(workerId, `launch failed: ${(error as Error).message}`.slice(0, 500));
      throw error;
    }
  }
}
