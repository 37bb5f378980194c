import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { configSchema, type RawConfig } from './schema.js';

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
  database: { url: string | undefined; embeddedPort: number };
  s3: {
    endpoint: string | undefined;
    region: string;
    forcePathStyle: boolean;
    embeddedPort: number;
    buckets: BucketNames;
    presignTtlSeconds: number;
  };
  adminToken: string;
  /** True when the admin token was generated at start because none was configured. */
  adminTokenGenerated: boolean;
  callbackSigningKey: string;
  publicApiUrl: string;
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Parses and validates the environment once; throws ConfigError naming every bad variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): AppConfig {
  const parsed = configSchema.safeParse(env);
  if (!parsed.success) {
    throw new ConfigError(parsed.error.issues.map((issue) => `${issue.path.join('.')}: ${issue.message}`));
  }
  const raw = parsed.data;
  return {
    runtime: raw.RUNTIME,
    host: raw.HOST,
    port: raw.PORT,
    logLevel: raw.LOG_LEVEL,
    dataDir: path.resolve(raw.DATA_DIR),
    bodyLimitBytes: raw.BODY_LIMIT_BYTES,
    rateLimitPerMinute: raw.RATE_LIMIT_PER_MINUTE,
    database: { url: raw.DATABASE_URL, embeddedPort: raw.EMBEDDED_POSTGRES_PORT },
    s3: {
      endpoint: raw.S3_ENDPOINT,
      region: raw.S3_REGION,
      forcePathStyle: raw.S3_FORCE_PATH_STYLE ?? raw.S3_ENDPOINT !== undefined,
      embeddedPort: raw.EMBEDDED_S3_PORT,
      buckets: { uploads: raw.BUCKET_UPLOADS, raw: raw.BUCKET_RAW, processed: raw.BUCKET_PROCESSED },
      presignTtlSeconds: raw.PRESIGN_TTL_SECONDS,
    },
    adminToken: raw.ADMIN_TOKEN ?? generateSecret(),
    adminTokenGenerated: raw.ADMIN_TOKEN === undefined,
    callbackSigningKey: raw.CALLBACK_SIGNING_KEY ?? generateSecret(),
    publicApiUrl: raw.PUBLIC_API_URL ?? `http://127.0.0.1:${raw.PORT}`,
  };
}

function generateSecret(): string {
  return randomBytes(32).toString('base64url');
}
