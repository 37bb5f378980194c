import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '#config';
import type { WorkersRegistry } from '#database';
import type { LaunchTrigger, WorkerLauncher } from './worker-launcher.js';
import { workerEnvironment } from './worker-environment.js';

const WORKER_MAIN = fileURLToPath(new URL('../../../../batch-worker/src/main.js', import.meta.url));

/** Runs batch workers as child processes of the API (the embedded default). */
export class LocalWorkerLauncher implements WorkerLauncher {
  readonly kind = 'local' as const;
  private readonly logger = new Logger(LocalWorkerLauncher.name);
  private readonly children = new Map<string, ChildProcess>();
  private closing = false;
  private lostListener: () => void = () => undefined;

  constructor(
    private readonly config: AppConfig & { database: { url: string } },
    private readonly registry: WorkersRegistry,
  ) {}

  onWorkerLost(listener: () => void): void {
    this.lostListener = listener;
  }

  async launch(trigger: LaunchTrigger): Promise<void> {
    const id = randomUUID();
    await this.registry.register({ id, kind: 'local' });
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: workerEnvironment(this.config, id),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    this.children.set(id, child);
    this.logger.log({ workerId: id, pid: child.pid, jobId: trigger.jobId }, 'batch worker started');
    child.once('exit', (code, signal) => {
      this.children.delete(id);
      const clean = code === 0;
      const reason = clean ? 'exited' : signal ? `killed by ${signal}` : `crashed with exit code ${code}`;
      void this.registry
        .stopped(id, reason)
        .catch((err: unknown) => this.logger.warn({ err }, 'could not record worker stop'))
        .then(() => {
          if (clean || this.closing) return;
          this.logger.warn({ workerId: id, reason }, 'batch worker stopped unexpectedly');
          this.lostListener();
        });
    });
  }

  /** Asks every child to finish its files, then waits for them. */
  async shutdown(): Promise<void> {
    this.closing = true;
    const exits = [...this.children.values()].map(async (child) => {
      if (child.exitCode !== null || child.signalCode !== null) return;
      const exited = once(child, 'exit');
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
      await exited;
      clearTimeout(timer);
    });
    await Promise.all(exits);
  }

  /** Live child processes (tests use this to kill one). */
  running(): ReadonlyMap<string, ChildProcess> {
    return this.children;
  }
}
