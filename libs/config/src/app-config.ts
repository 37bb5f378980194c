import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { z } from 'zod';
import { configSchema, type RawConfig, thumbnailConfigSchema, workerConfigSchema } from './schema.js';

export interface BucketNames {
  uploads: string;
  raw: string;
  processed: string;
}

export interface AppConfig {
  runtime: RawConfig['RUNTIME'];
  host: string;
  port: number;
  logLevel: RawConfig['LOG_LEVEL'];
  dataDir: string;
  bodyLimitBytes: number;
  rateLimitPerMinute: number;
  /** Where rate-limit counters are shared between API instances; in-process when unset. */
  redisUrl: string | undefined;
  http: {
    requestTimeoutMs: number;
    idleTimeoutMs: number;
    uploadIdleTimeoutMs: number;
    /** Addresses and CIDRs of trusted proxies (X-Forwarded-For); empty: the socket's address is the client. */
    trustedProxies: string[];
    authFailuresPerMinute: number;
    docsEnabled: boolean;
  };
  /** On SIGTERM: how long requests in flight get before their connections are cut. */
  shutdownTimeoutSeconds: number;
  /** A photo `processing` longer than this (since its last change) is failed with a reason. */
  photoProcessingTimeoutSeconds: number;
  /** A photo `pending_upload` longer than this (since it was declared) is failed and its objects removed. */
  photoUploadTimeoutSeconds: number;
  /**
   * `url`: the API's connections (every one runs as the RLS-bound role revela_app); `migrationUrl`:
   * the schema owner, for migrations only (defaults to `url`).
   */
  database: { url: string | undefined; migrationUrl: string | undefined; embeddedPort: number };
  s3: {
    endpoint: string | undefined;
    region: string;
    forcePathStyle: boolean;
    embeddedPort: number;
    buckets: BucketNames;
    presignTtlSeconds: number;
  };
  /** The first admin token (printed when generated). */
  adminToken: string;
  /** Every accepted admin token: more than one while a rotation is under way. */
  adminTokens: string[];
  /** True when the admin token was generated at start because none was configured. */
  adminTokenGenerated: boolean;
  callbackSigningKey: string;
  publicApiUrl: string;
  /** Where workers and the thumbnail Lambda reach the internal routes; derived from the listener when unset. */
  internalApiUrl: string | undefined;
  /** A separate listener for the internal routes (the load balancer never forwards to it). */
  internalPort: number | undefined;
  /** Embedded runtime: where the thumbnail Lambda's handler runs (see `wireThumbnailLambda`). */
  localThumbnailPlacement: 'worker-threads' | 'in-process';
  processing: ProcessingConfig;
  webhooks: WebhookConfig;
  /** How long an Idempotency-Key's stored response is replayed. */
  idempotencyTtlSeconds: number;
  /** Each tenant's allowances unless its own limits say otherwise. */
  quotas: QuotaDefaults;
  /** Retention of finished jobs' files and the sweeper that enforces it. */
  jobs: { retentionDays: number; sweepSeconds: number };
  launcher: {
    kind: 'local' | 'ec2';
    maxWorkers: number;
    ec2LaunchTemplateId: string | undefined;
    ec2LaunchTemplateVersion: string;
    tokenParameterPrefix: string | undefined;
    tokenTtlSeconds: number;
    reconcileSeconds: number;
    /** Workers older than this are terminated. */
    maxLifetimeSeconds: number;
  };
}

/** The configuration once the runtime has filled in what it provides (e.g. the embedded PostgreSQL). */
export type ResolvedConfig = AppConfig & { database: { url: string } };

export interface WebhookConfig {
  pollMs: number;
  timeoutMs: number;
  retry: { baseSeconds: number; maxDelaySeconds: number; windowSeconds: number };
  disableAfterSeconds: number;
  /** Only https targets (RUNTIME=aws); http is accepted with the embedded defaults. */
  httpsOnly: boolean;
  allowLoopback: boolean;
}

export interface QuotaDefaults {
  storageBytes: number;
  filesPerJob: number;
  bytesPerFile: number;
  concurrentJobs: number;
  processingSecondsPerMonth: number;
}

export interface ProcessingConfig {
  leaseSeconds: number;
  maxAttempts: number;
  /** Files one tenant may have in flight at once, unless its own limit says otherwise. */
  tenantMaxFilesInFlight: number;
  concurrency: number;
  idleShutdownSeconds: number;
  rawDecoder: 'auto' | 'native' | 'wasm';
}

export interface WorkerConfig {
  workerId: string;
  apiUrl: string;
  token: { value: string } | { parameter: string; region: string | undefined };
  logLevel: RawConfig['LOG_LEVEL'];
  scratchDir: string | undefined;
  powerOffOnExit: boolean;
  concurrency: number;
  idleShutdownSeconds: number;
  rawDecoder: ProcessingConfig['rawDecoder'];
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Validates an environment against a schema; the error names every bad variable, never its value. */
function parseEnv<Schema extends z.ZodType>(schema: Schema, env: NodeJS.ProcessEnv): z.infer<Schema> {
  const parsed = schema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  return parsed.data;
}

/** Path-style addressing defaults to on for S3-compatible endpoints, off for AWS. */
function s3Client(raw: { S3_ENDPOINT?: string; S3_FORCE_PATH_STYLE?: boolean }, region: string) {
  return { endpoint: raw.S3_ENDPOINT, region, forcePathStyle: raw.S3_FORCE_PATH_STYLE ?? raw.S3_ENDPOINT !== undefined };
}

function adminTokens(configured: string | undefined): { adminToken: string; adminTokens: string[] } {
  const tokens = configured ? configured.split(',').map((token) => token.trim()) : [generateSecret()];
  return { adminToken: tokens[0], adminTokens: tokens };
}

/** Parses and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const raw = parseEnv(configSchema, env);
  return {
    runtime: raw.RUNTIME,
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    dataDir: path.resolve(raw.DATA_DIR),
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    rateLimitPerMinute: raw.RATE_LIMIT_PER_MINUTE,
    redisUrl: raw.REDIS_URL,
    http: {
      requestTimeoutMs: raw.HTTP_REQUEST_TIMEOUT_SECONDS * 1000,
      idleTimeoutMs: raw.HTTP_IDLE_TIMEOUT_SECONDS * 1000,
      uploadIdleTimeoutMs: raw.UPLOAD_IDLE_TIMEOUT_SECONDS * 1000,
      trustedProxies: raw.TRUSTED_PROXIES ? raw.TRUSTED_PROXIES.split(',').map((entry) => entry.trim()) : [],
      authFailuresPerMinute: raw.AUTH_FAILURES_PER_MINUTE,
      docsEnabled: raw.DOCS_ENABLED ?? raw.RUNTIME !== 'aws',
    },
    shutdownTimeoutSeconds: raw.SHUTDOWN_TIMEOUT_SECONDS,
    photoProcessingTimeoutSeconds: raw.PHOTO_PROCESSING_TIMEOUT_SECONDS,
    photoUploadTimeoutSeconds: raw.PHOTO_UPLOAD_TIMEOUT_SECONDS,
    database: { url: raw.DATABASE_URL, migrationUrl: raw.DATABASE_MIGRATION_URL, embeddedPort: raw.EMBEDDED_POSTGRES_PORT },
    s3: {
      ...s3Client(raw, raw.S3_REGION),
      embeddedPort: raw.EMBEDDED_S3_PORT,
      buckets: { uploads: raw.BUCKET_UPLOADS, raw: raw.BUCKET_RAW, processed: raw.BUCKET_PROCESSED },
      presignTtlSeconds: raw.PRESIGN_TTL_SECONDS,
    },
    ...adminTokens(raw.ADMIN_TOKEN),
    adminTokenGenerated: raw.ADMIN_TOKEN === undefined,
    callbackSigningKey: raw.CALLBACK_SIGNING_KEY ?? generateSecret(),
    publicApiUrl: raw.PUBLIC_API_URL ?? `http://127.0.0.1:${raw.PORT}`,
    internalApiUrl: raw.INTERNAL_API_URL?.replace(/\/+$/, ''),
    internalPort: raw.INTERNAL_PORT,
    localThumbnailPlacement: raw.LOCAL_THUMBNAIL_PLACEMENT,
    processing: processingConfig(raw),
    webhooks: {
      pollMs: raw.WEBHOOK_POLL_MS,
      timeoutMs: raw.WEBHOOK_TIMEOUT_MS,
      retry: {
        baseSeconds: raw.WEBHOOK_RETRY_BASE_SECONDS,
        maxDelaySeconds: raw.WEBHOOK_RETRY_MAX_DELAY_SECONDS,
        windowSeconds: raw.WEBHOOK_RETRY_WINDOW_SECONDS,
      },
      disableAfterSeconds: raw.WEBHOOK_DISABLE_AFTER_SECONDS,
      httpsOnly: raw.RUNTIME === 'aws',
      allowLoopback: raw.WEBHOOK_ALLOW_LOOPBACK ?? raw.RUNTIME !== 'aws',
    },
    idempotencyTtlSeconds: raw.IDEMPOTENCY_TTL_SECONDS,
    quotas: {
      storageBytes: raw.QUOTA_STORAGE_BYTES,
      filesPerJob: raw.QUOTA_FILES_PER_JOB,
      bytesPerFile: raw.QUOTA_BYTES_PER_FILE,
      concurrentJobs: raw.QUOTA_CONCURRENT_JOBS,
      processingSecondsPerMonth: raw.QUOTA_PROCESSING_SECONDS_PER_MONTH,
    },
    jobs: { retentionDays: raw.JOB_RETENTION_DAYS, sweepSeconds: raw.JOB_SWEEP_SECONDS },
    launcher: {
      kind: raw.WORKER_LAUNCHER,
      maxWorkers: raw.MAX_WORKERS,
      ec2LaunchTemplateId: raw.EC2_LAUNCH_TEMPLATE_ID,
      ec2LaunchTemplateVersion: raw.EC2_LAUNCH_TEMPLATE_VERSION,
      tokenParameterPrefix: raw.WORKER_TOKEN_PARAMETER_PREFIX,
      tokenTtlSeconds: raw.WORKER_TOKEN_TTL_SECONDS,
      reconcileSeconds: raw.WORKER_RECONCILE_SECONDS,
      maxLifetimeSeconds: raw.WORKER_MAX_LIFETIME_SECONDS,
    },
  };
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const raw = parseEnv(workerConfigSchema, env);
  return {
    workerId: raw.WORKER_ID,
    apiUrl: raw.INTERNAL_API_URL.replace(/\/+$/, ''),
    token: raw.WORKER_TOKEN ? { value: raw.WORKER_TOKEN } : { parameter: raw.WORKER_TOKEN_PARAMETER!, region: raw.AWS_REGION },
    logLevel: raw.LOG_LEVEL,
    scratchDir: raw.SCRATCH_DIR,
    powerOffOnExit: raw.POWER_OFF_ON_EXIT,
    concurrency: raw.WORKER_CONCURRENCY,
    idleShutdownSeconds: raw.IDLE_SHUTDOWN_SECONDS,
    rawDecoder: raw.RAW_DECODER,
  };
}

function processingConfig(
  raw: Pick<
    RawConfig,
    'LEASE_SECONDS' | 'MAX_ATTEMPTS' | 'TENANT_MAX_FILES_IN_FLIGHT' | 'WORKER_CONCURRENCY' | 'IDLE_SHUTDOWN_SECONDS' | 'RAW_DECODER'
  >,
): ProcessingConfig {
  return {
    leaseSeconds: raw.LEASE_SECONDS,
    maxAttempts: raw.MAX_ATTEMPTS,
    tenantMaxFilesInFlight: raw.TENANT_MAX_FILES_IN_FLIGHT,
    concurrency: raw.WORKER_CONCURRENCY,
    idleShutdownSeconds: raw.IDLE_SHUTDOWN_SECONDS,
    rawDecoder: raw.RAW_DECODER,
  };
}

function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}

export interface ThumbnailConfig {
  buckets: { uploads: string; processed: string };
  s3: { endpoint: string | undefined; region: string; forcePathStyle: boolean };
  /** Base URL of the API; reports go to `${apiUrl}/internal/v1/photos/{id}/result`. */
  apiUrl: string;
  signingKey: string;
  /** Pixel budget of one image; the renditions library's default when unset. */
  maxPixels?: number;
  callbackTimeoutMs: number;
}

/** The thumbnail Lambda's configuration, read once per container. */
export function loadThumbnailConfig(env: NodeJS.ProcessEnv = process.env): ThumbnailConfig {
  const raw = parseEnv(thumbnailConfigSchema, env);
  if (raw.CALLBACK_SIGNING_KEY === undefined) {
    // CALLBACK_SIGNING_KEY_PARAMETER names an SSM SecureString; the caller resolves it into CALLBACK_SIGNING_KEY first.
    throw new ConfigError([
      `CALLBACK_SIGNING_KEY: not resolved from CALLBACK_SIGNING_KEY_PARAMETER (${raw.CALLBACK_SIGNING_KEY_PARAMETER})`,
    ]);
  }
  return {
    buckets: { uploads: raw.BUCKET_UPLOADS, processed: raw.BUCKET_PROCESSED },
    s3: s3Client(raw, raw.S3_REGION ?? raw.AWS_REGION),
    apiUrl: raw.PUBLIC_API_URL.replace(/\/+$/, ''),
    signingKey: raw.CALLBACK_SIGNING_KEY,
    maxPixels: raw.MAX_PIXELS,
    callbackTimeoutMs: raw.CALLBACK_TIMEOUT_MS,
  };
}
