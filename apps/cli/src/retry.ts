import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';

export interface RetryOptions {
  /** Attempts in all, the first included. */
  tries?: number;
  /** The wait before the second attempt; it doubles after each failure, plus up to 50 % jitter. */
  baseDelayMs?: number;
  maxDelayMs?: number;
}

const DEFAULTS = { tries: 5, baseDelayMs: 500, maxDelayMs: 8000 };

/** Answers, before the next attempt, whether a failure is worth retrying. */
export type ShouldRetry = (error: unknown) => boolean;

export function backoffDelay(attempt: number, options: RetryOptions = {}): number {
  const { baseDelayMs, maxDelayMs } = { ...DEFAULTS, ...options };
  const exponential = Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
  return Math.round(exponential * (1 + Math.random() / 2));
}

/**
 * Runs `attempt` until it succeeds, a failure is not retryable, or the tries are spent, waiting longer each time.
 * A dozen lines rather than p-retry, which is not a dependency; the batch worker has its own loop
 * (apps/batch-worker/src/api-client.ts) because apps may not import each other.
 */
export async function retrying<T>(attempt: (n: number) => Promise<T>, shouldRetry: ShouldRetry, options: RetryOptions = {}): Promise<T> {
  const tries = options.tries ?? DEFAULTS.tries;
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (error) {
      if (n >= tries || !shouldRetry(error)) throw error;
      await sleep(backoffDelay(n, options));
    }
  }
}

/**
 * A network failure: fetch rejects with a TypeError ("fetch failed") whose cause is the socket's
 * error (ECONNRESET, ECONNREFUSED, "other side closed", a timeout…).
 */
export function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError && /fetch failed|terminated|network/i.test(error.message);
}

/** Gateway answers that mean "try again", not "no"; 408 is the API's own request deadline. */
const TRANSIENT_STATUSES = new Set([408, 502, 503, 504]);

/** Also "try again": a 409 with Retry-After answers a repeated Idempotency-Key whose first request is still running. */
const transient = (response: Response) =>
  TRANSIENT_STATUSES.has(response.status) || (response.status === 409 && response.headers.has('Retry-After'));

/**
 * The SDK's transport: retries requests that are safe to repeat (GET, HEAD, DELETE, PUT of JSON, and
 * POST, which the API makes idempotent through the Idempotency-Key this adds when the caller did not)
 * after a network error, a 408/502/503/504, or a 409 that says the first attempt is still running. Streamed bodies (file content) are not replayed here:
 * upload/transfer.ts retries those itself, re-reading the file.
 */
export function retryingFetch(options: RetryOptions = {}, base: typeof fetch = globalThis.fetch) {
  return async (input: Request): Promise<Response> => {
    let request = input;
    if (request.method === 'POST' && !request.headers.has('Idempotency-Key')) {
      const headers = new Headers(request.headers);
      headers.set('Idempotency-Key', randomUUID());
      request = new Request(request, { headers });
    }
    if (!replayable(request)) return base(request);
    const template = request;
    return retrying(
      async () => {
        const response = await base(template.clone());
        if (transient(response)) throw new TransientStatus(response);
        return response;
      },
      (error) => isNetworkError(error) || error instanceof TransientStatus,
      options,
    ).catch((error: unknown) => {
      // Out of tries on a 5xx: hand the API's own answer back, so the caller reads its problem.
      if (error instanceof TransientStatus) return error.response;
      throw error;
    });
  };
}

function replayable(request: Request): boolean {
  switch (request.method) {
    case 'GET':
    case 'HEAD':
    case 'DELETE':
    case 'POST':
      return true;
    case 'PUT':
      return (request.headers.get('Content-Type') ?? '').startsWith('application/json');
    default:
      return false;
  }
}

class TransientStatus extends Error {
  constructor(readonly response: Response) {
    super(`HTTP ${response.status}`);
  }
}
