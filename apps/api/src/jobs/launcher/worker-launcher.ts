/** What a new worker is given: its id and its own bearer token for the worker endpoints. */
export interface WorkerCredentials {
  workerId: string;
  token: string;
}

/** Starts one batch worker. Implementations: a local child process, or an EC2 instance. */
export interface WorkerLauncher {
  readonly kind: 'local' | 'ec2';
  /** Starts the worker with its credentials; EC2 answers the instance id. */
  launch(worker: WorkerCredentials, trigger: LaunchTrigger): Promise<{ instanceId?: string }>;
  /**
   * Ends a worker that stopped answering or outlived its maximum lifetime, whatever state it is in
   * (EC2: TerminateInstances; local: SIGKILL). Its files' leases lapse and other workers take them.
   */
  terminate(worker: { workerId: string; instanceId: string | null }): Promise<void>;
  /** Drops whatever the launch stored beside the token row (EC2: the token parameter). */
  forget(workerId: string): Promise<void>;
  /** Stops what this process started (local workers); EC2 workers stop themselves when idle. */
  shutdown(): Promise<void>;
  /** Registers a callback for workers that exited (only launchers that can tell). */
  onWorkerExit?(listener: (exit: WorkerExit) => void): void;
}

export interface WorkerExit {
  workerId: string;
  reason: string;
  /** Exited on its own (idle or asked to stop), as opposed to crashing or being killed. */
  clean: boolean;
}

/** Why a worker is being started, for tags and logs. */
export interface LaunchTrigger {
  tenantId?: string;
  jobId?: string;
}

export const WORKER_LAUNCHER = Symbol('WorkerLauncher');
