import type { S3Event } from 'aws-lambda';
import type { AppConfig, ThumbnailConfig } from '#config';
import type { EmbeddedS3Handle } from '#storage';
import { createThumbnailHandler, type Log, type RecordOutcome } from '#thumbnails';
import { type AsyncInvoker, createAsyncInvoker } from './async-invoker.js';
import { createThreadPool } from './thread-pool.js';

export interface ThumbnailWiring {
  /** The same handler the S3 events reach, for direct invocation. */
  handler: (event: S3Event) => Promise<RecordOutcome[]>;
  invoker: AsyncInvoker<S3Event>;
  close(): Promise<void>;
}

/** S3 → Lambda async invocation, as AWS does it: 2 retries, the first after 1 s, then 2 s. */
export const LOCAL_INVOCATION = { concurrency: 2, retries: 2, backoffMs: 1000 };

/**
 * Where the handler runs locally. `worker-threads` (the default): one thread per invocation in
 * flight, so a render never holds up the API's event loop, as a Lambda never shares the API's
 * CPU time. `in-process`: on the caller's event loop (kept for the burst benchmark's comparison).
 */
export type ThumbnailPlacement = 'worker-threads' | 'in-process';

/**
 * Local stand-in for the uploads bucket's notification: each ObjectCreated event of the embedded
 * S3 server invokes the thumbnail Lambda's handler asynchronously, at most two in flight, retried
 * like an asynchronous Lambda invocation. The handler reports to the API over real HTTP at `apiUrl`.
 */
export function wireThumbnailLambda(
  s3: EmbeddedS3Handle,
  config: AppConfig,
  options: {
    apiUrl: string;
    log?: Log;
    invocation?: Partial<typeof LOCAL_INVOCATION>;
    /** false: S3 events are not delivered; call `handler` directly (tests of duplicate delivery). */
    deliverEvents?: boolean;
    placement?: ThumbnailPlacement;
  },
): ThumbnailWiring {
  const thumbnailConfig: ThumbnailConfig = {
    buckets: { uploads: config.s3.buckets.uploads, processed: config.s3.buckets.processed },
    s3: { endpoint: s3.endpoint, region: config.s3.region, forcePathStyle: true },
    apiUrl: options.apiUrl.replace(/\/+$/, ''),
    signingKey: config.callbackSigningKey,
    callbackTimeoutMs: 10_000,
  };
  const invocation = { ...LOCAL_INVOCATION, ...options.invocation };
  const pool =
    (options.placement ?? 'worker-threads') === 'worker-threads'
      ? createThreadPool<S3Event, RecordOutcome[]>({
          file: new URL('./thumbnail-thread.js', import.meta.url),
          size: invocation.concurrency,
          workerData: thumbnailConfig,
          onLog: options.log,
        })
      : undefined;
  const handler = pool ? (event: S3Event) => pool.run(event) : createThumbnailHandler(thumbnailConfig, { log: options.log });
  const log = options.log ?? (() => undefined);
  const invoker = createAsyncInvoker<S3Event>(handler, {
    ...invocation,
    onRetry: (error, attempt) => log('warn', 'thumbnail invocation failed; retrying', { attempt, error: (error as Error).message }),
    onGiveUp: (error, attempts) => log('error', 'thumbnail invocation failed for good', { attempts, error: (error as Error).message }),
  });
  const uploads = config.s3.buckets.uploads;
  let open = options.deliverEvents ?? true;
  s3.onEvent((event) => {
    if (open && event.Records?.some((r) => r.s3.bucket.name === uploads && r.eventName.startsWith('ObjectCreated:')))
      invoker.dispatch(event);
  });
  return {
    handler,
    invoker,
    async close() {
      open = false;
      await invoker.close();
      await pool?.close();
    },
  };
}
