import { z } from 'zod';
import type { S3ClientSettings } from '#storage';

export interface ThumbnailConfig {
  buckets: { uploads: string; processed: string };
  s3: S3ClientSettings;
  /** Base URL of the API; reports go to `${apiUrl}/internal/v1/photos/{id}/result`. */
  apiUrl: string;
  signingKey: string;
  /** Pixel budget of one image; the renditions library's default when unset. */
  maxPixels?: number;
  callbackTimeoutMs: number;
}

const envSchema = z.object({
  BUCKET_UPLOADS: z.string().min(3),
  BUCKET_PROCESSED: z.string().min(3),
  S3_ENDPOINT: z.url().optional(),
  /** Lambda sets AWS_REGION itself. */
  S3_REGION: z.string().min(1).optional(),
  AWS_REGION: z.string().min(1).default('us-east-1'),
  S3_FORCE_PATH_STYLE: z.enum(['true', 'false', '1', '0']).optional(),
  PUBLIC_API_URL: z.url(),
  CALLBACK_SIGNING_KEY: z.string().min(32, 'must be at least 32 characters'),
  MAX_PIXELS: z.coerce.number().int().positive().optional(),
  CALLBACK_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
});

/** Reads the function's environment once; throws naming every bad variable (never their values). */
export function loadThumbnailConfig(env: NodeJS.ProcessEnv = process.env): ThumbnailConfig {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid thumbnail-lambda configuration: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  const e = parsed.data;
  return {
    buckets: { uploads: e.BUCKET_UPLOADS, processed: e.BUCKET_PROCESSED },
    s3: {
      endpoint: e.S3_ENDPOINT,
      region: e.S3_REGION ?? e.AWS_REGION,
      forcePathStyle: e.S3_FORCE_PATH_STYLE ? e.S3_FORCE_PATH_STYLE === 'true' || e.S3_FORCE_PATH_STYLE === '1' : e.S3_ENDPOINT !== undefined,
    },
    apiUrl: e.PUBLIC_API_URL.replace(/\/+$/, ''),
    signingKey: e.CALLBACK_SIGNING_KEY,
    maxPixels: e.MAX_PIXELS,
    callbackTimeoutMs: e.CALLBACK_TIMEOUT_MS,
  };
}
