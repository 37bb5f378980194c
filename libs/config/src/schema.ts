import { z } from 'zod';

const booleanFlag = z
  .enum(['true', 'false', '1', '0'])
  .transform((value) => value === 'true' || value === '1');

const port = z.coerce.number().int().min(0).max(65535);

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

    DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
    EMBEDDED_POSTGRES_PORT: port.default(54329),

    S3_ENDPOINT: z.url().optional(),
    S3_REGION: z.string().min(1).default('us-east-1'),
    S3_FORCE_PATH_STYLE: booleanFlag.optional(),
    EMBEDDED_S3_PORT: port.default(4569),
    BUCKET_UPLOADS: z.string().min(3).default('revela-uploads'),
    BUCKET_RAW: z.string().min(3).default('revela-raw'),
    BUCKET_PROCESSED: z.string().min(3).default('revela-processed'),
    PRESIGN_TTL_SECONDS: z.coerce.number().int().min(60).max(900).default(900),

    ADMIN_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    CALLBACK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    PUBLIC_API_URL: z.url().optional(),
  })
  .superRefine((env, ctx) => {
    if (env.RUNTIME !== 'aws') return;
    for (const key of ['DATABASE_URL', 'ADMIN_TOKEN', 'CALLBACK_SIGNING_KEY'] as const) {
      if (!env[key]) ctx.addIssue({ code: 'custom', path: [key], message: 'is required when RUNTIME=aws' });
    }
  });

export type RawConfig = z.infer<typeof configSchema>;
