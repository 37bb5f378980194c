import { createHash } from 'node:crypto';
import { type CallHandler, type ExecutionContext, HttpStatus, Injectable, type NestInterceptor, type OnModuleInit } from '@nestjs/common';
import { HttpAdapterHost, Reflector } from '@nestjs/core';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { from, mergeMap, type Observable } from 'rxjs';
import { AUTH_MODE, type AuthenticatedRequest, type AuthMode } from '../tenants/auth.decorators.js';
import { IdempotencyStore, type StoredResponse } from './idempotency.store.js';
import { ProblemException, problems } from './problem.js';

export const IDEMPOTENCY_KEY_HEADER = 'Idempotency-Key';
export const IDEMPOTENT_REPLAYED_HEADER = 'Idempotent-Replayed';
const KEY_PATTERN = /^[\u0021-\u007e]{1,255}$/;
const HELD = Symbol('revela:idempotency-key');

interface HeldKey {
  scope: string;
  key: string;
}

type IdempotentRequest = FastifyRequest & AuthenticatedRequest & { rawBody?: Buffer; [HELD]?: HeldKey };

/** Thrown to answer with a stored response instead of running the handler; the problem filter sends it. */
export class IdempotentReplay extends Error {
  constructor(readonly response: StoredResponse) {
    super('idempotent replay');
  }

  send(reply: FastifyReply): void {
    void reply.status(this.response.status).header(IDEMPOTENT_REPLAYED_HEADER, 'true');
    if (this.response.contentType) void reply.type(this.response.contentType);
    void reply.send(this.response.body);
  }
}

/**
 * What makes two requests "the same": method, path with query, and the exact body bytes. A
 * streamed body (multipart, octet-stream) is not read ahead; its declared type and length stand in.
 */
export function requestFingerprint(request: Pick<IdempotentRequest, 'method' | 'url' | 'headers' | 'rawBody' | 'body'>): string {
  const hash = createHash('sha256').update(`${request.method} ${request.url}\n`);
  if (request.rawBody) hash.update(request.rawBody);
  else if (request.body === undefined || request.body === null) hash.update('');
  else if (typeof (request.body as { pipe?: unknown }).pipe === 'function' || /^multipart\//i.test(request.headers['content-type'] ?? '')) {
    hash.update(`stream ${request.headers['content-type'] ?? ''} ${request.headers['content-length'] ?? ''}`);
  } else hash.update(JSON.stringify(request.body));
  return hash.digest('base64url');
}

/**
 * `Idempotency-Key` on every POST of the API (IETF draft): the same key with the same request
 * within IDEMPOTENCY_TTL_SECONDS answers the stored response (`Idempotent-Replayed: true`); with
 * another request, 422; while the first is still running, 409. Keys belong to the tenant (or to the
 * platform admin). Runs after the guards, so the tenant is known; the response is stored in
 * Fastify's onSend hook, before it reaches the client.
 */
@Injectable()
export class IdempotencyInterceptor implements NestInterceptor, OnModuleInit {
  constructor(
    private readonly store: IdempotencyStore,
    private readonly reflector: Reflector,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  onModuleInit(): void {
    const fastify = this.adapterHost.httpAdapter.getInstance<FastifyInstance>();
    fastify.addHook('onSend', async (request: IdempotentRequest, reply, payload) => {
      const held = request[HELD];
      if (!held) return payload;
      request[HELD] = undefined;
      const status = reply.statusCode;
      if (
        status >= 200 &&
        status < 300 &&
        (typeof payload === 'string' || Buffer.isBuffer(payload) || payload === null || payload === undefined)
      ) {
        const contentType = reply.getHeader('content-type');
        await this.store.complete(held.scope, held.key, {
          status,
          contentType: typeof contentType === 'string' ? contentType : null,
          body: payload === null || payload === undefined ? '' : payload.toString(),
        });
      } else {
        await this.store.release(held.scope, held.key);
      }
      return payload;
    });
  }

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<IdempotentRequest>();
    if (request.method !== 'POST') return next.handle();
    const header = request.headers['idempotency-key'];
    if (header === undefined) return next.handle();
    const key = Array.isArray(header) ? header[0] : header;
    if (Array.isArray(header) || !key || !KEY_PATTERN.test(key)) {
      throw problems.validation([{ field: IDEMPOTENCY_KEY_HEADER, message: 'must be one value of 1 to 255 visible ASCII characters' }]);
    }
    const scope = this.scopeOf(context, request);
    if (!scope) return next.handle();
    return from(this.store.reserve(scope, key, requestFingerprint(request))).pipe(
      mergeMap((reservation) => {
        switch (reservation.kind) {
          case 'reserved':
            request[HELD] = { scope, key };
            return next.handle();
          case 'replay':
            throw new IdempotentReplay(reservation.response);
          case 'mismatch':
            throw new ProblemException({
              status: HttpStatus.UNPROCESSABLE_ENTITY,
              slug: 'idempotency-key-reused',
              title: 'Idempotency key reused',
              detail: 'This Idempotency-Key was used with a different request (method, path or body) in the last 24 hours.',
            });
          case 'in_flight':
            throw new ProblemException({
              status: HttpStatus.CONFLICT,
              slug: 'idempotency-key-in-use',
              title: 'Request in progress',
              detail: 'A request with this Idempotency-Key is still being processed; retry after it completes.',
              headers: { 'Retry-After': '1' },
            });
        }
      }),
    );
  }

  private scopeOf(context: ExecutionContext, request: IdempotentRequest): string | undefined {
    if (request.tenant) return `tenant:${request.tenant.tenantId}`;
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, [context.getHandler(), context.getClass()]);
    return mode === 'admin' ? 'admin' : undefined;
  }
}
