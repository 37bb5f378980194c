import { HttpException, HttpStatus } from '@nestjs/common';
import { STATUS_CODES } from 'node:http';
import { PROBLEM_BASE, ProblemException, type ProblemDocument } from './problem.js';
import { isDatabaseUnavailable, isStorageUnavailable, RETRY_AFTER_SECONDS } from './unavailable.js';

/** Fastify's own errors (body parsing, limits) carry a code and a statusCode. */
const FASTIFY_ERRORS: Record<string, { slug: string; title: string; detail: string }> = {
  FST_ERR_CTP_INVALID_JSON_BODY: { slug: 'malformed-body', title: 'Malformed request body', detail: 'The body is not valid JSON.' },
  FST_ERR_CTP_EMPTY_JSON_BODY: { slug: 'malformed-body', title: 'Malformed request body', detail: 'The JSON body is empty.' },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    slug: 'payload-too-large',
    title: 'Payload too large',
    detail: 'The request body exceeds the allowed size.',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    slug: 'unsupported-media-type',
    title: 'Unsupported media type',
    detail: 'This content type is not accepted here.',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    slug: 'malformed-body',
    title: 'Malformed request body',
    detail: 'Content-Length does not match the body.',
  },
};

export interface MappedProblem {
  document: ProblemDocument;
  headers: Record<string, string>;
  /** True for errors the client did not cause; those are logged with their stack. */
  unexpected: boolean;
}

/** Turns anything thrown while handling a request into problem details a client may see. */
export function toProblem(error: unknown, instance: string): MappedProblem {
  if (error instanceof ProblemException) {
    return { document: error.toDocument(instance), headers: error.problem.headers ?? {}, unexpected: false };
  }
  if (error instanceof HttpException) {
    const status = error.getStatus();
    const body = error.getResponse();
    const message = typeof body === 'object' && body && 'message' in body ? body.message : body;
    const detail = Array.isArray(message) ? message.join('; ') : typeof message === 'string' ? message : undefined;
    const checks = typeof body === 'object' && body && 'details' in body ? body.details : undefined;
    return {
      document: {
        type: PROBLEM_BASE + slugFor(status),
        title: STATUS_CODES[status] ?? 'Error',
        status,
        ...(detail && status < 500 ? { detail } : {}),
        instance,
        ...(checks ? { checks } : {}),
      },
      headers: status === HttpStatus.SERVICE_UNAVAILABLE ? { 'Retry-After': String(RETRY_AFTER_SECONDS) } : {},
      unexpected: status >= 500 && status !== HttpStatus.SERVICE_UNAVAILABLE,
    };
  }
  // A dependency down for a while (PostgreSQL restarting, S3 SlowDown): retryable, never a 500.
  const unavailable = isStorageUnavailable(error) ? 'storage' : isDatabaseUnavailable(error) ? 'database' : undefined;
  if (unavailable) {
    return {
      document: {
        type: `${PROBLEM_BASE}${unavailable}-unavailable`,
        title: 'Service Unavailable',
        status: HttpStatus.SERVICE_UNAVAILABLE,
        detail: `The ${unavailable === 'storage' ? 'object storage' : 'database'} is unavailable for a moment (restarting or unreachable); retry after ${RETRY_AFTER_SECONDS} s.`,
        instance,
      },
      headers: { 'Retry-After': String(RETRY_AFTER_SECONDS) },
      unexpected: true,
    };
  }
  const fastify = fastifyError(error);
  if (fastify) {
    const known = FASTIFY_ERRORS[fastify.code ?? ''];
    const status = fastify.statusCode;
    return {
      document: {
        type: PROBLEM_BASE + (known?.slug ?? slugFor(status)),
        title: known?.title ?? STATUS_CODES[status] ?? 'Error',
        status,
        detail: known?.detail ?? (status < 500 ? fastify.message : undefined),
        instance,
      },
      headers: {},
      unexpected: status >= 500,
    };
  }
  return {
    document: {
      type: PROBLEM_BASE + 'internal-error',
      title: 'Internal Server Error',
      status: HttpStatus.INTERNAL_SERVER_ERROR,
      detail: 'Something went wrong on our side; it has been logged.',
      instance,
    },
    headers: {},
    unexpected: true,
  };
}

function fastifyError(error: unknown): { code?: string; statusCode: number; message: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const candidate = error as { code?: unknown; statusCode?: unknown; message?: unknown };
  if (typeof candidate.statusCode !== 'number' || candidate.statusCode < 400 || candidate.statusCode > 599) return undefined;
  return {
    code: typeof candidate.code === 'string' ? candidate.code : undefined,
    statusCode: candidate.statusCode,
    message: typeof candidate.message === 'string' ? candidate.message : '',
  };
}

function slugFor(status: number): string {
  return (STATUS_CODES[status] ?? 'error').toLowerCase().replace(/[^a-z0-9]+/g, '-');
}
