import { z } from 'zod';
import { isPlaceholderSecret, urlPassword } from './placeholder-secrets.js';

export const booleanFlag = z.enum(['true', 'false', '1', '0']).transform((value) => value === 'true' || value === '1');

const port = z.coerce.number().int().min(0).max(65535);

/** An SSM Parameter Store name or path: starts with `/`, letters, digits and `_.-/` only. */
const ssmPath = z.string().regex(/^\/[A-Za-z0-9_.\-/]+$/, 'must be an SSM parameter path such as /revela/prod/config/');

/** A comma-separated list of origins (`scheme://host[:port]`, no path). */
const originList = z
  .string()
  .refine(
    (value) => value.split(',').every((origin) => /^https?:\/\/[^/\s,]+$/.test(origin.trim())),
    'must be a comma-separated list of origins such as https://console.example.com',
  );

/** A comma-separated list of IP addresses or CIDR ranges (IPv4 or IPv6). */
const addressList = z
  .string()
  .refine(
    (value) => value.split(',').every((entry) => /^[0-9a-fA-F.:]+(\/\d{1,3})?$/.test(entry.trim())),
    'must be a comma-separated list of IP addresses or CIDR ranges such as 10.0.0.0/16',
  );

/** S3 and bucket settings, shared by the API, the batch worker and the thumbnail Lambda. */
export const storageFields = {
  S3_ENDPOINT: z.url().optional(),
  S3_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: booleanFlag.optional(),
  BUCKET_UPLOADS: z.string().min(3).default('revela-uploads'),
  BUCKET_RAW: z.string().min(3).default('revela-raw'),
  BUCKET_PROCESSED: z.string().min(3).default('revela-processed'),
};

/** How the batch worker processes files; the API passes these on to the workers it starts. */
export const workerProcessingFields = {
  WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(16).default(2),
  // 10 s: a batch's idle tail stays under 5 % of what a 500-file batch is billed (BENCHMARKS.md, studio).
  IDLE_SHUTDOWN_SECONDS: z.coerce.number().int().min(1).max(86_400).default(10),
  RAW_DECODER: z.enum(['auto', 'native', 'wasm']).default('auto'),
};

/** The queue's rules, enforced by the API. */
export const processingFields = {
  LEASE_SECONDS: z.coerce.number().int().min(2).max(3600).default(60),
  MAX_ATTEMPTS: z.coerce.number().int().min(1).max(10).default(3),
  /** Files one tenant may have in flight at once (the fair-share cap); a tenant's own limit overrides it. */
  TENANT_MAX_FILES_IN_FLIGHT: z.coerce.number().int().min(1).max(10_000).default(32),
  ...workerProcessingFields,
};

/**
 * Outgoing webhooks. The retry schedule is exponential (base, doubling, capped) with jitter, until
 * the window since the event has passed; fractions of a second are allowed so that tests run fast.
 */
export const webhookFields = {
  WEBHOOK_POLL_MS: z.coerce.number().int().min(10).max(60_000).default(1000),
  WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
  WEBHOOK_RETRY_BASE_SECONDS: z.coerce.number().positive().max(3600).default(30),
  WEBHOOK_RETRY_MAX_DELAY_SECONDS: z.coerce
    .number()
    .positive()
    .max(86_400)
    .default(6 * 3600),
  WEBHOOK_RETRY_WINDOW_SECONDS: z.coerce
    .number()
    .positive()
    .max(30 * 86_400)
    .default(3 * 86_400),
  /** An endpoint failing without a single success for this long is disabled. */
  WEBHOOK_DISABLE_AFTER_SECONDS: z.coerce
    .number()
    .positive()
    .max(30 * 86_400)
    .default(3 * 86_400),
  /** Loopback targets (127.0.0.0/8, ::1); allowed by default with RUNTIME=embedded only. */
  WEBHOOK_ALLOW_LOOPBACK: booleanFlag.optional(),
};

/** Per-tenant allowances (defaults; the admin API sets a tenant's own) and retention of job files. */
export const quotaFields = {
  QUOTA_STORAGE_BYTES: z.coerce
    .number()
    .int()
    .min(0)
    .default(1024 ** 4),
  QUOTA_FILES_PER_JOB: z.coerce.number().int().min(1).max(100_000).default(1000),
  QUOTA_BYTES_PER_FILE: z.coerce
    .number()
    .int()
    .min(1)
    .max(5 * 1024 ** 4)
    .default(4 * 1024 ** 3),
  QUOTA_CONCURRENT_JOBS: z.coerce.number().int().min(1).max(10_000).default(10),
  QUOTA_PROCESSING_SECONDS_PER_MONTH: z.coerce.number().int().min(0).default(360_000),
  /** A finished job's RAW files, outputs and ZIP are deleted this many days after it finished. */
  JOB_RETENTION_DAYS: z.coerce.number().int().min(1).max(3650).default(30),
  /** How often the job sweeper runs (expired files, interrupted deletions); 0: never. */
  JOB_SWEEP_SECONDS: z.coerce.number().int().min(0).max(86_400).default(60),
};

/**
 * Every environment variable Revela reads, with its default. `RUNTIME=embedded` (the default) starts
 * PostgreSQL and an S3 server in-process when DATABASE_URL / S3_ENDPOINT are unset; `RUNTIME=aws`
 * requires real endpoints and secrets.
 */
export const configSchema = z
  .object({
    RUNTIME: z.enum(['embedded', 'aws']).default('embedded'),
    HOST: z.string().min(1).default('127.0.0.1'),
    PORT: port.default(3000),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    DATA_DIR: z.string().min(1).default('.data'),
    BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(1_048_576),
    RATE_LIMIT_PER_MINUTE: z.coerce.number().int().positive().default(6000),
    /** Shared store of the rate-limit counters (redis:// or rediss://); in-process counters when unset. */
    REDIS_URL: z.url({ protocol: /^rediss?$/ }).optional(),
    /** Deadline to receive a whole request (headers and body), uploads excepted; then 408 and the connection closes. */
    HTTP_REQUEST_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** A connection that sends nothing for this long is closed (between requests, or stalled mid-request). */
    HTTP_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(30),
    /** The idle timeout of streamed uploads (octet-stream and multipart bodies), which have no overall deadline. */
    UPLOAD_IDLE_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(3600).default(120),
    /** Proxies (addresses or CIDRs) whose X-Forwarded-For is believed; none by default. */
    TRUSTED_PROXIES: addressList.optional(),
    /** Failed authentications per client address per minute before 429 (checked before any key lookup). */
    AUTH_FAILURES_PER_MINUTE: z.coerce.number().int().min(1).max(100_000).default(30),
    /** Swagger UI at /docs and the document at /docs-json; default on, off with RUNTIME=aws. */
    DOCS_ENABLED: booleanFlag.optional(),
    /** On SIGTERM, how long requests in flight get to finish before their connections are cut. */
    SHUTDOWN_TIMEOUT_SECONDS: z.coerce.number().int().min(1).max(600).default(25),

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    /** The schema owner's URL, used only to run migrations; defaults to DATABASE_URL. */
    DATABASE_MIGRATION_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    EMBEDDED_POSTGRES_PORT: port.default(54329),

    ...storageFields,
    EMBEDDED_S3_PORT: port.default(4569),
    /** Where the embedded runtime runs the thumbnail Lambda's handler: worker threads, or the API's own event loop. */
    LOCAL_THUMBNAIL_PLACEMENT: z.enum(['worker-threads', 'in-process']).default('worker-threads'),
    PRESIGN_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(900),

    /** One admin token, or several separated by commas while rotating (every one is accepted). */
    ADMIN_TOKEN: z
      .string()
      .refine(
        (value) => value.split(',').every((token) => token.trim().length >= 32),
        'must be at least 32 characters (each, when several are given)',
      )
      .optional(),
    CALLBACK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    PUBLIC_API_URL: z.url().optional(),
    INTERNAL_PORT: port.optional(),
    INTERNAL_API_URL: z.url().optional(),
    /** A photo still `processing` this long after its last change is failed with a reason (the Lambda gave up). */
    PHOTO_PROCESSING_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(5)
      .max(7 * 86_400)
      .default(900),
    /** A photo still `pending_upload` this long after it was declared is failed and whatever reached storage removed. */
    PHOTO_UPLOAD_TIMEOUT_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(30 * 86_400)
      .default(86_400),

    ...processingFields,
    WORKER_LAUNCHER: z.enum(['local', 'ec2']).default('local'),
    MAX_WORKERS: z.coerce.number().int().min(0).max(100).default(1),
    EC2_LAUNCH_TEMPLATE_ID: z
      .string()
      .regex(/^lt-[0-9a-f]+$/, 'must be a launch template id (lt-…)')
      .optional(),
    EC2_LAUNCH_TEMPLATE_VERSION: z.string().min(1).default('$Latest'),
    /** SSM path (e.g. `/revela/prod/worker-tokens`) under which the EC2 launcher stores each worker's token. */
    WORKER_TOKEN_PARAMETER_PREFIX: ssmPath.optional(),
    /** How often the API re-checks the backlog against running workers; 0: only on submit and worker exits. */
    WORKER_RECONCILE_SECONDS: z.coerce.number().int().min(0).max(3600).default(5),
    /** A worker running longer than this is terminated (EC2: TerminateInstances), whatever it is doing. */
    WORKER_MAX_LIFETIME_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(21_600),
    WORKER_TOKEN_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(86_400),
    /** With RUNTIME=aws: SSM path (e.g. `/revela/prod/config/`) holding ADMIN_TOKEN, CALLBACK_SIGNING_KEY and DATABASE_URL. */
    SSM_PARAMETER_PREFIX: ssmPath.optional(),
    /** Comma-separated browser origins allowed by CORS, e.g. `https://console.example.com`. */
    CORS_ORIGINS: originList.optional(),

    ...webhookFields,
    ...quotaFields,
    IDEMPOTENCY_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(1)
      .max(7 * 86_400)
      .default(86_400),
  })
  .superRefine((env, ctx) => {
    if (env.RUNTIME !== 'aws') return;
    for (const key of ['DATABASE_URL', 'ADMIN_TOKEN', 'CALLBACK_SIGNING_KEY'] as const) {
      const value = env[key];
      if (!value) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when RUNTIME=aws' });
    }
    // The Lambda's reports and the worker protocol never share the public listener in production.
    if (!env.INTERNAL_PORT)
      ctx.addIssue({
        code: 'custom',
        path: ['INTERNAL_PORT'],
        message: 'is required when RUNTIME=aws (internal routes get their own listener)',
      });
    else if (env.INTERNAL_PORT === env.PORT) ctx.addIssue({ code: 'custom', path: ['INTERNAL_PORT'], message: 'must differ from PORT' });
    for (const key of ['ADMIN_TOKEN', 'CALLBACK_SIGNING_KEY'] as const) {
      const values = key === 'ADMIN_TOKEN' ? (env[key]?.split(',') ?? []) : [env[key]];
      for (const value of values)
        if (value && isPlaceholderSecret(value))
          ctx.addIssue({ code: 'custom', path: [key], message: 'is a placeholder or sample value; set a random secret' });
    }
    for (const key of ['DATABASE_URL', 'DATABASE_MIGRATION_URL'] as const) {
      const password = env[key] ? urlPassword(env[key]) : undefined;
      if (password && isPlaceholderSecret(password))
        ctx.addIssue({ code: 'custom', path: [key], message: 'has a placeholder or sample password' });
    }
  })
  .superRefine((env, ctx) => {
    if (env.WORKER_LAUNCHER !== 'ec2') return;
    for (const key of ['EC2_LAUNCH_TEMPLATE_ID', 'WORKER_TOKEN_PARAMETER_PREFIX', 'INTERNAL_API_URL'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when WORKER_LAUNCHER=ec2' });
    }
  });

/**
 * The batch worker's environment. It holds no database or AWS credentials: it talks only to the
 * API's worker endpoints with its own token, given directly (local launcher) or as the name of an
 * SSM parameter that only its instance role can read (EC2).
 */
export const workerConfigSchema = z
  .object({
    WORKER_ID: z.uuid(),
    INTERNAL_API_URL: z.url(),
    WORKER_TOKEN: z
      .string()
      .regex(/^rvw_[A-Za-z0-9_-]{43}$/, 'must be a worker token (rvw_…)')
      .optional(),
    WORKER_TOKEN_PARAMETER: z
      .string()
      .regex(/^(\/[A-Za-z0-9_.-]+)+$/, 'must be an SSM parameter name')
      .optional(),
    AWS_REGION: z.string().min(1).optional(),
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SCRATCH_DIR: z.string().min(1).optional(),
    POWER_OFF_ON_EXIT: booleanFlag.default(false),
    ...workerProcessingFields,
  })
  .superRefine((env, ctx) => {
    if (!env.WORKER_TOKEN === !env.WORKER_TOKEN_PARAMETER) {
      ctx.addIssue({ code: 'custom', path: ['WORKER_TOKEN'], message: 'set exactly one of WORKER_TOKEN and WORKER_TOKEN_PARAMETER' });
    }
  });

export type RawWorkerConfig = z.infer<typeof workerConfigSchema>;

export type RawConfig = z.infer<typeof configSchema>;

/** The thumbnail Lambda's environment. Lambda sets AWS_REGION itself; S3_REGION overrides it. */
export const thumbnailConfigSchema = z
  .object({
    BUCKET_UPLOADS: z.string().min(3),
    BUCKET_PROCESSED: z.string().min(3),
    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).optional(),
    AWS_REGION: z.string().min(1).default('us-east-1'),
    S3_FORCE_PATH_STYLE: booleanFlag.optional(),
    PUBLIC_API_URL: z.url(),
    CALLBACK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    /** SSM SecureString holding the signing key, read at cold start (keeps the secret out of the function's environment). */
    CALLBACK_SIGNING_KEY_PARAMETER: ssmPath.optional(),
    MAX_PIXELS: z.coerce.number().int().positive().optional(),
    CALLBACK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  })
  .refine((env) => env.CALLBACK_SIGNING_KEY !== undefined || env.CALLBACK_SIGNING_KEY_PARAMETER !== undefined, {
    path: ['CALLBACK_SIGNING_KEY'],
    message: 'is required unless CALLBACK_SIGNING_KEY_PARAMETER is set',
  });
