/**
 * Recognises errors that mean a dependency is down for a while (PostgreSQL restarting, S3 answering
 * 503 SlowDown or unreachable) rather than a bug: the client gets 503 with Retry-After and can
 * simply try again, instead of a 500.
 */

/** How long clients are told to wait before retrying (seconds). */
export const RETRY_AFTER_SECONDS = 5;

/** The other side refused, dropped or never answered the connection. */
const NETWORK_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'ECONNABORTED',
  'ETIMEDOUT',
  'EPIPE',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
  'UND_ERR_SOCKET',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * PostgreSQL SQLSTATEs for "shutting down, starting up or unreachable": admin_shutdown,
 * crash_shutdown, cannot_connect_now, the connection_exception class, too_many_connections.
 */
const PG_UNAVAILABLE = new Set(['57P01', '57P02', '57P03', '08000', '08001', '08003', '08004', '08006', '53300']);

/** What node-postgres and TypeORM throw when the connection went away under a query or the pool is closed. */
const PG_CONNECTION_MESSAGES = [
  /^Connection terminated/,
  /connection error and is not queryable/,
  /timeout exceeded when trying to connect/,
  /Cannot use a pool after calling end on the pool/,
];
/**
 * TypeORM's errors for a connection that is gone: not connected yet, or a query runner released
 * under the request because its connection failed (the row-level-security scope holds one runner
 * for START … COMMIT, so a restart mid-request surfaces as this).
 */
const TYPEORM_NOT_CONNECTED = new Set(['CannotExecuteNotConnectedError', 'ConnectionIsNotSetError', 'QueryRunnerAlreadyReleasedError']);

interface ErrorLike {
  name?: unknown;
  code?: unknown;
  message?: unknown;
  errors?: unknown;
  cause?: unknown;
  driverError?: unknown;
  $metadata?: { httpStatusCode?: number };
}

/** The error and what it wraps (TypeORM's driverError, an AggregateError's errors, a cause), a few levels deep. */
function* chain(error: unknown, depth = 0): Generator<ErrorLike> {
  if (typeof error !== 'object' || error === null || depth > 3) return;
  const e = error as ErrorLike;
  yield e;
  if (e.driverError) yield* chain(e.driverError, depth + 1);
  if (e.cause) yield* chain(e.cause, depth + 1);
  if (Array.isArray(e.errors)) for (const inner of e.errors) yield* chain(inner, depth + 1);
}

function isNetworkFailure(error: unknown): boolean {
  for (const e of chain(error)) if (typeof e.code === 'string' && NETWORK_CODES.has(e.code)) return true;
  return false;
}

/** Errors of the AWS SDK carry `$metadata` (the retry middleware adds it to transport errors too). */
function isAwsSdkError(error: unknown): error is ErrorLike {
  return typeof error === 'object' && error !== null && '$metadata' in error;
}

/** S3 answered 5xx or 429 (SlowDown, InternalError, ServiceUnavailable) after the SDK's own retries, or could not be reached. */
export function isStorageUnavailable(error: unknown): boolean {
  if (!isAwsSdkError(error)) return false;
  const status = error.$metadata?.httpStatusCode;
  if (status === undefined) return true; // no HTTP answer at all: refused, reset, timed out
  return status >= 500 || status === 429;
}

/** PostgreSQL is restarting, shutting down or unreachable (as opposed to a query that is wrong). */
export function isDatabaseUnavailable(error: unknown): boolean {
  if (isAwsSdkError(error)) return false;
  for (const e of chain(error)) {
    if (typeof e.code === 'string' && PG_UNAVAILABLE.has(e.code)) return true;
    if (typeof e.name === 'string' && TYPEORM_NOT_CONNECTED.has(e.name)) return true;
    if (typeof e.message === 'string' && PG_CONNECTION_MESSAGES.some((pattern) => pattern.test(e.message as string))) return true;
  }
  return isNetworkFailure(error);
}
