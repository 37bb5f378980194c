/**
 * The stack's parameters. Every value is decided at synth time (CDK context or an environment file),
 * never as a CloudFormation parameter: one template per environment, fully reviewable before deploy,
 * and the offline tests see exactly what AWS will get.
 */
import { z } from 'zod';

const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

const flag = z.preprocess((value) => (typeof value === 'string' ? value === 'true' || value === '1' : value), z.boolean());
const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);
const retention = z.coerce
  .number()
  .int()
  .refine((days) => (LOG_RETENTION_DAYS as readonly number[]).includes(days), `must be one of ${LOG_RETENTION_DAYS.join(', ')}`);
const list = z.preprocess(
  (value) =>
    typeof value === 'string'
      ? value
          .split(',')
          .map((entry) => entry.trim())
          .filter(Boolean)
      : value,
  z.array(z.string().regex(/^https?:\/\/[^/\s,]+$/, 'must be an origin such as https://console.example.com')),
);

export const settingsSchema = z.object({
  /** Environment name: it prefixes every resource, SSM path and bucket (`prod`, `staging`, …). */
  environment: z.string().regex(/^[a-z][a-z0-9-]{1,15}$/, 'must be 2-16 lowercase letters, digits or dashes'),
  region: z
    .string()
    .regex(/^[a-z]{2}(-[a-z]+)+-\d$/)
    .default('us-east-1'),
  /** Optional: pins the stack to one account (otherwise the CLI's credentials decide). */
  account: z
    .string()
    .regex(/^\d{12}$/)
    .optional(),

  /** ACM certificate for the load balancer's HTTPS listener (same region). */
  certificateArn: z.string().regex(/^arn:aws[a-z-]*:acm:[a-z0-9-]+:\d{12}:certificate\/[A-Za-z0-9-]+$/, 'must be an ACM certificate ARN'),
  /** Browser origins allowed to upload (CORS on the buckets, CORS_ORIGINS for the API). */
  consoleOrigins: list.default([]),
  vpcCidr: z
    .string()
    .regex(/^\d+\.\d+\.\d+\.\d+\/16$/, 'must be a /16 CIDR')
    .default('10.40.0.0/16'),

  /** The Revela image (infra/ami/build-ami.sh): AL2023, Node 24, LibRaw, the build, both systemd units. */
  workerAmiId: z.string().regex(/^ami-[0-9a-f]{8,17}$/, 'must be an AMI id'),
  /** The API runs the same image unless told otherwise. */
  apiAmiId: z
    .string()
    .regex(/^ami-[0-9a-f]{8,17}$/, 'must be an AMI id')
    .optional(),
  apiInstanceType: z.string().default('t3.small'),
  apiVcpus: int(1, 192).default(2),
  apiPort: int(1024, 65535).default(3000),
  internalPort: int(1024, 65535).default(3001),
  apiRootVolumeGiB: int(8, 1000).default(20),
  logLevel: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),

  workerInstanceType: z.string().default('c7i.large'),
  workerVcpus: int(1, 192).default(2),
  workerRootVolumeGiB: int(8, 1000).default(20),
  maxWorkers: int(0, 100).default(2),
  workerConcurrency: int(1, 16).default(2),
  idleShutdownSeconds: int(1, 86_400).default(10),
  /** On-demand standard-class vCPUs that other workloads run in this account and region (for the worker alarm). */
  usageBaselineVcpus: int(0, 100_000).default(0),

  /** `ebs`: PostgreSQL on the API instance's own encrypted gp3 volume. `rds`: managed PostgreSQL. */
  database: z.enum(['ebs', 'rds']).default('ebs'),
  dataVolumeGiB: int(1, 16_384).default(20),
  /** Restore: create the data volume from this snapshot (see README, "Restore from a snapshot"). */
  dataVolumeSnapshotId: z
    .string()
    .regex(/^snap-[0-9a-f]{8,17}$/)
    .optional(),
  snapshotRetentionDays: int(1, 1000).default(7),
  snapshotTimeUtc: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/)
    .default('03:00'),
  rdsInstanceType: z.string().default('t4g.micro'),
  rdsMultiAz: flag.default(false),
  rdsAllocatedStorageGiB: int(20, 16_384).default(20),
  rdsBackupRetentionDays: int(1, 35).default(7),

  /** RAW inputs (the raw bucket) expire after this many days. */
  rawRetentionDays: int(1, 3650).default(30),
  /** Studio outputs (objects tagged revela:retention=job-output in the processed bucket) expire after this many days. */
  outputRetentionDays: int(1, 3650).default(30),
  accessLogRetentionDays: int(1, 3650).default(90),
  logRetentionDays: retention.default(30),

  thumbnailMemoryMb: int(128, 10_240).default(2048),
  thumbnailTimeoutSeconds: int(1, 900).default(60),
  /** Reserved concurrency of the thumbnail Lambda; 0 leaves it unreserved (new accounts with a limit of 10 need 0). */
  thumbnailReservedConcurrency: int(0, 1000).default(5),

  /** Alarm notifications go to an SNS topic; this address is subscribed to it when set. */
  alarmEmail: z.email().optional(),
  /** Deletion protection for the load balancer and RDS (turn off before tearing down). */
  deletionProtection: flag.default(true),
});

export type RevelaSettings = z.infer<typeof settingsSchema>;
export type RevelaSettingsInput = z.input<typeof settingsSchema>;

export class SettingsError extends Error {
  constructor(readonly problems: string[]) {
    super(`Invalid Revela stack settings:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'SettingsError';
  }
}

/** Validates and completes the settings; the error names every bad key. */
export function parseSettings(input: Record<string, unknown>): RevelaSettings {
  const parsed = settingsSchema.safeParse(input);
  if (!parsed.success) throw new SettingsError(parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`));
  if (parsed.data.apiPort === parsed.data.internalPort) throw new SettingsError(['internalPort: must differ from apiPort']);
  return parsed.data;
}

/** SSM paths and other names that the stack, the API and the operator share. */
export function names(settings: Pick<RevelaSettings, 'environment'>) {
  const env = settings.environment;
  return {
    stack: `Revela-${env}`,
    /** SecureStrings the operator creates once (infra/scripts/create-secrets.sh); the API reads them at start. */
    configPath: `/revela/${env}/config`,
    workerTokenPath: `/revela/${env}/worker-tokens`,
    privateZone: `revela-${env}.internal`,
    apiLogGroup: `/revela/${env}/api`,
    backupTag: `${env}-postgres`,
    launchTemplate: `revela-${env}-batch-worker`,
  };
}

/** The secrets in `${configPath}/`: never in a template, user data or a Lambda environment. */
export const SECRET_PARAMETERS = ['ADMIN_TOKEN', 'CALLBACK_SIGNING_KEY', 'DATABASE_URL', 'DATABASE_PASSWORD'] as const;
