import type { AppConfig } from '#config';
import type { WorkerCredentials } from './worker-launcher.js';

/**
 * The environment a batch worker gets: its id, where the API's worker endpoints are and how to
 * get its token, and how to process. Never the database, S3 credentials, the admin token or the
 * signing key: a decoder exploit in a worker reaches no more than the file it holds.
 */
export function workerEnvironment(config: AppConfig, worker: { workerId: string; apiUrl: string }): Record<string, string> {
  return {
    WORKER_ID: worker.workerId,
    INTERNAL_API_URL: worker.apiUrl,
    LOG_LEVEL: config.logLevel,
    WORKER_CONCURRENCY: String(config.processing.concurrency),
    IDLE_SHUTDOWN_SECONDS: String(config.processing.idleShutdownSeconds),
    RAW_DECODER: config.processing.rawDecoder,
  };
}

/** A local worker gets its token directly, and only the process basics from the API's own environment. */
export function localWorkerEnvironment(config: AppConfig, worker: WorkerCredentials & { apiUrl: string }): Record<string, string> {
  const env = { ...workerEnvironment(config, worker), WORKER_TOKEN: worker.token };
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'LANG']) {
    const value = process.env[name];
    if (value) env[name as keyof typeof env] = value;
  }
  return env;
}
