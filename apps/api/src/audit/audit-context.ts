import { AsyncLocalStorage } from 'node:async_hooks';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyRequest } from 'fastify';
import { Observable } from 'rxjs';
import { AUTH_MODE, type AuthenticatedRequest, type AuthMode } from '../tenants/auth.decorators.js';

/** Who acts: a tenant's API key, the platform admin, or the API itself (sweeps, no request). */
export type AuditActor =
  | { readonly type: 'api_key'; readonly keyId: string; readonly keyPrefix: string | null }
  | { readonly type: 'admin' }
  | { readonly type: 'system' };

export interface AuditRequestContext {
  readonly actor: AuditActor;
  readonly requestId: string | null;
}

const storage = new AsyncLocalStorage<AuditRequestContext>();

/** The current request's actor and id; outside a request, the system with no request id. */
export function currentAuditContext(): AuditRequestContext {
  return storage.getStore() ?? { actor: { type: 'system' }, requestId: null };
}

export function withAuditContext<T>(context: AuditRequestContext, fn: () => T): T {
  return storage.run(context, fn);
}

/**
 * Runs the handler with the request's actor (as the AuthGuard authenticated it) and request id at
 * hand, so that whatever the handler records in the audit log names them without every service
 * passing them along.
 */
@Injectable()
export class AuditContextInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, [context.getHandler(), context.getClass()]);
    const actor: AuditActor = request.tenant
      ? { type: 'api_key', keyId: request.tenant.apiKeyId, keyPrefix: request.tenant.apiKeyPrefix ?? null }
      : mode === 'admin'
        ? { type: 'admin' }
        : { type: 'system' };
    const audit: AuditRequestContext = { actor, requestId: request.id ?? null };
    return new Observable((subscriber) => withAuditContext(audit, () => next.handle().subscribe(subscriber)));
  }
}
