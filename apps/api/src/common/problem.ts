import { HttpException, HttpStatus } from '@nestjs/common';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

export const PROBLEM_CONTENT_TYPE = 'application/problem+json';
export const PROBLEM_BASE = 'https://docs.revela.dev/problems/';

export class FieldError {
  @ApiProperty({ example: 'name' })
  field: string;

  @ApiProperty({ example: 'name must be a string' })
  message: string;
}

/** RFC 9457 problem details, as every error response carries them. */
export class ProblemDocument {
  @ApiProperty({ example: `${PROBLEM_BASE}validation-error` })
  type: string;

  @ApiProperty({ example: 'Request validation failed' })
  title: string;

  @ApiProperty({ example: 400 })
  status: number;

  @ApiPropertyOptional({ example: 'One or more fields are invalid.' })
  detail?: string;

  @ApiPropertyOptional({ example: '/v1/api-keys' })
  instance?: string;

  @ApiPropertyOptional({ type: [FieldError] })
  errors?: FieldError[];

  [extension: string]: unknown;
}

export interface ProblemInit {
  status: number;
  slug: string;
  title: string;
  detail?: string;
  errors?: FieldError[];
  headers?: Record<string, string>;
  extensions?: Record<string, unknown>;
}

/** Thrown by services to answer a specific problem; the global filter renders it. */
export class ProblemException extends HttpException {
  constructor(readonly problem: ProblemInit) {
    super(problem.detail ?? problem.title, problem.status);
  }

  toDocument(instance?: string): ProblemDocument {
    return {
      ...this.problem.extensions,
      type: PROBLEM_BASE + this.problem.slug,
      title: this.problem.title,
      status: this.problem.status,
      ...(this.problem.detail ? { detail: this.problem.detail } : {}),
      ...(instance ? { instance } : {}),
      ...(this.problem.errors ? { errors: this.problem.errors } : {}),
    };
  }
}

export const problems = {
  validation: (errors: FieldError[]) =>
    new ProblemException({
      status: HttpStatus.BAD_REQUEST,
      slug: 'validation-error',
      title: 'Request validation failed',
      detail: errors.map((e) => `${e.field}: ${e.message}`).join('; '),
      errors,
    }),
  notFound: (what: string) =>
    new ProblemException({ status: HttpStatus.NOT_FOUND, slug: 'not-found', title: 'Not found', detail: `${what} was not found.` }),
  conflict: (detail: string, extensions?: Record<string, unknown>) =>
    new ProblemException({ status: HttpStatus.CONFLICT, slug: 'conflict', title: 'Conflict', detail, extensions }),
  unauthorized: (detail: string) =>
    new ProblemException({
      status: HttpStatus.UNAUTHORIZED,
      slug: 'unauthorized',
      title: 'Unauthorized',
      detail,
      headers: { 'WWW-Authenticate': 'Bearer realm="revela"' },
    }),
  gone: (detail: string, extensions?: Record<string, unknown>) =>
    new ProblemException({ status: HttpStatus.GONE, slug: 'gone', title: 'Gone', detail, extensions }),
  forbidden: (detail: string) => new ProblemException({ status: HttpStatus.FORBIDDEN, slug: 'forbidden', title: 'Forbidden', detail }),
  insufficientScope: (required: string, granted: readonly string[]) =>
    new ProblemException({
      status: HttpStatus.FORBIDDEN,
      slug: 'insufficient-scope',
      title: 'Insufficient scope',
      detail: `This request needs an API key with the \`${required}\` scope; this key has ${granted.map((s) => `\`${s}\``).join(', ')}.`,
      extensions: { requiredScope: required },
    }),
  tooManyAuthFailures: (retryAfterSeconds: number) =>
    new ProblemException({
      status: HttpStatus.TOO_MANY_REQUESTS,
      slug: 'too-many-failed-authentications',
      title: 'Too many failed authentications',
      detail: `Too many failed authentications from this address; retry after ${retryAfterSeconds} s.`,
      headers: { 'Retry-After': String(retryAfterSeconds) },
    }),
  tenantSuspended: () =>
    new ProblemException({
      status: HttpStatus.FORBIDDEN,
      slug: 'tenant-suspended',
      title: 'Tenant suspended',
      detail: 'This tenant is suspended by the platform administrator; contact support.',
    }),
  payloadTooLarge: (detail: string) =>
    new ProblemException({ status: HttpStatus.PAYLOAD_TOO_LARGE, slug: 'payload-too-large', title: 'Payload too large', detail }),
  unsupportedMediaType: (detail: string) =>
    new ProblemException({
      status: HttpStatus.UNSUPPORTED_MEDIA_TYPE,
      slug: 'unsupported-media-type',
      title: 'Unsupported media type',
      detail,
    }),
};
