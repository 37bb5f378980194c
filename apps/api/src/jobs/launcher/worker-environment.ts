import type { AppConfig } from '#config';

/**
 * The environment a batch worker gets: only what it needs (never the admin token or signing key).
 * Local workers receive it directly; EC2 workers get the same variables from their launch template.
 */
export function workerEnvironment(config: AppConfig & { database: { url: string } }, workerId: string): Record<string, string> {
  const env: Record<string, string> = {
    WORKER_ID: workerId,
    DATABASE_URL: config.database.url,
    LOG_LEVEL: config.logLevel,
    S3_REGION: config.s3.region,
    S3_FORCE_PATH_STYLE: String(config.s3.forcePathStyle),
    BUCKET_UPLOADS: config.s3.buckets.uploads,
    BUCKET_RAW: config.s3.buckets.raw,
    BUCKET_PROCESSED: config.s3.buckets.processed,
    LEASE_SECONDS: String(config.processing.leaseSeconds),
    MAX_ATTEMPTS: String(config.processing.maxAttempts),
    WORKER_CONCURRENCY: String(config.processing.concurrency),
    IDLE_SHUTDOWN_SECONDS: String(config.processing.idleShutdownSeconds),
    RAW_DECODER: config.processing.rawDecoder,
  };
  if (config.s3.endpoint) env.S3_ENDPOINT = config.s3.endpoint;
  for (const name of ['PATH', 'HOME', 'TMPDIR', 'AWS_ACCESS_KEY_ID', 'AWS_SECRET_ACCESS_KEY', 'AWS_SESSION_TOKEN', 'AWS_PROFILE']) {
    const value = process.env[name];
    if (value) env[name] = value;
  }
  return env;
}
