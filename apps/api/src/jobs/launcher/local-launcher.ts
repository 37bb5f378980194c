import { type ChildProcess, spawn } from 'node:child_process';
import { once } from 'node:events';
import { fileURLToPath } from 'node:url';
import { Logger } from '@nestjs/common';
import type { AppConfig } from '#config';
import { localWorkerEnvironment } from './worker-environment.js';
import type { LaunchTrigger, WorkerCredentials, WorkerExit, WorkerLauncher } from './worker-launcher.js';

/** The batch worker's entry, reached through the package's subpath imports, not a path into another app. */
const WORKER_MAIN = fileURLToPath(import.meta.resolve('#batch-worker/main'));

/**
 * Runs batch workers as child processes of the API (the embedded default). They run exactly as on
 * EC2: they reach the API over HTTP with their own token and hold no other credential.
 */
export class LocalWorkerLauncher implements WorkerLauncher {
  readonly kind = 'local' as const;
  private readonly logger = new Logger(LocalWorkerLauncher.name);
  private readonly children = new Map<string, ChildProcess>();
  private closing = false;
  private exitListener: (exit: WorkerExit) => void = () => undefined;

  constructor(
    private readonly config: AppConfig,
    private readonly apiUrl: () => string,
  ) {}

  onWorkerExit(listener: (exit: WorkerExit) => void): void {
    this.exitListener = listener;
  }

  launch(worker: WorkerCredentials, trigger: LaunchTrigger): Promise<{ instanceId?: string }> {
    const child = spawn(process.execPath, [WORKER_MAIN], {
      env: localWorkerEnvironment(this.config, { ...worker, apiUrl: this.apiUrl() }),
      stdio: ['ignore', 'inherit', 'inherit'],
    });
    const { workerId } = worker;
    this.children.set(workerId, child);
    this.logger.log({ workerId, pid: child.pid, jobId: trigger.jobId }, 'batch worker started');
    child.once('exit', (code, signal) => {
      this.children.delete(workerId);
      const clean = code === 0 || this.closing;
      const reason = code === 0 ? 'exited' : signal ? `killed by ${signal}` : `crashed with exit code ${code}`;
      if (!clean) this.logger.warn({ workerId, reason }, 'batch worker stopped unexpectedly');
      this.exitListener({ workerId, reason, clean });
    });
    return Promise.resolve({});
  }

  /** Kills the child process if this process started it (another API instance's children are its own). */
  async terminate(worker: { workerId: string }): Promise<void> {
    const child = this.children.get(worker.workerId);
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = once(child, 'exit');
    child.kill('SIGKILL');
    await exited;
  }

  forget(): Promise<void> {
    return Promise.resolve();
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
