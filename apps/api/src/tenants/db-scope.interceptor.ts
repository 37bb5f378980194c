import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor, SetMetadata } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { Observable } from 'rxjs';
import { asSystem, withTenant } from '#database';
import { AUTH_MODE, type AuthenticatedRequest, type AuthMode } from './auth.decorators.js';

export const SYSTEM_SCOPE = 'revela:system-scope';

/**
 * The route works across tenants by design (the Lambda's reports, the worker protocol): its queries
 * bypass row-level security. The reason is what a reader sees; keep the list of such routes short.
 */
export const SystemScope = (reason: string) => SetMetadata(SYSTEM_SCOPE, reason);

/**
 * Runs the handler (and every interceptor after this one) in the request's database scope: the
 * authenticated tenant, the platform admin's explicit system scope, or a route's @SystemScope.
 * Registered first among the global interceptors, so that idempotency records are scoped too.
 */
@Injectable()
export class DbScopeInterceptor implements NestInterceptor {
  constructor(private readonly reflector: Reflector) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const targets = [context.getHandler(), context.getClass()];
    let run: (<T>(fn: () => T) => T) | undefined;
    if (request.tenant) {
      const tenantId = request.tenant.tenantId;
      run = (fn) => withTenant(tenantId, fn);
    } else {
      const reason =
        this.reflector.getAllAndOverride<string | undefined>(SYSTEM_SCOPE, targets) ??
        (this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, targets) === 'admin' ? 'platform admin' : undefined);
      if (reason) run = (fn) => asSystem(reason, fn);
    }
    if (!run) return next.handle();
    const scoped = run;
    return new Observable((subscriber) => scoped(() => next.handle().subscribe(subscriber)));
  }
}
