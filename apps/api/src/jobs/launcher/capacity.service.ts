import { type BeforeApplicationShutdown, Inject, Injectable, Logger, type OnApplicationBootstrap } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import type { WorkersRegistry } from '#database';
import { WORKERS_REGISTRY } from './tokens.js';
import { type LaunchTrigger, WORKER_LAUNCHER, type WorkerLauncher } from './worker-launcher.js';

/** How long a worker may go without a heartbeat before it no longer counts as capacity. */
const STALE_WORKER_SECONDS = { local: 30, ec2: 300 } as const;
const RECONCILE_MS = 5_000;

/**
 * Decides how many workers the backlog needs and starts the missing ones, never more than
 * MAX_WORKERS. Runs on submit, when a worker dies, and every few seconds as a safety net.
 */
@Injectable()
export class CapacityService implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly logger = new Logger(CapacityService.name);
  private running: Promise<void> = Promise.resolve();
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(WORKER_LAUNCHER) private readonly launcher: WorkerLauncher,
    @Inject(WORKERS_REGISTRY) private readonly registry: WorkersRegistry,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.launcher.onWorkerLost?.(() => void this.ensureCapacity().catch(() => undefined));
    this.timer = setInterval(() => void this.ensureCapacity().catch(() => undefined), RECONCILE_MS);
    this.timer.unref();
  }

  /** Before the database closes: workers record their own stop. */
  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running.catch(() => undefined);
    await this.launcher.shutdown();
  }

  /** Serialised: concurrent calls never double-launch. */
  ensureCapacity(trigger: LaunchTrigger = {}): Promise<void> {
    this.running = this.running.catch(() => undefined).then(() => this.reconcile(trigger));
    return this.running;
  }

  private async reconcile(trigger: LaunchTrigger): Promise<void> {
    const { processing, launcher } = this.config;
    const backlog = await this.registry.backlog(processing.maxAttempts);
    if (backlog === 0) return;
    const alive = await this.registry.countAlive(this.launcher.kind, STALE_WORKER_SECONDS[this.launcher.kind]);
    const wanted = Math.min(launcher.maxWorkers, Math.ceil(backlog / processing.concurrency));
    for (let i = alive; i < wanted; i += 1) {
      try {
        await this.launcher.launch(trigger);
      } catch (err) {
        this.logger.error({ err }, 'could not start a batch worker');
        return;
      }
    }
  }
}
