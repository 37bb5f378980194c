/** Starts one batch worker. Implementations: a local child process, or an EC2 instance. */
export interface WorkerLauncher {
  readonly kind: 'local' | 'ec2';
  launch(trigger: LaunchTrigger): Promise<void>;
  /** Stops what this process started (local workers); EC2 workers stop themselves when idle. */
  shutdown(): Promise<void>;
  /** Registers a callback for workers that died without finishing (only launchers that can tell). */
  onWorkerLost?(listener: () => void): void;
}

/** Why a worker is being started, for tags and logs. */
export interface LaunchTrigger {
  tenantId?: string;
  jobId?: string;
}

export const WORKER_LAUNCHER = Symbol('WorkerLauncher');
