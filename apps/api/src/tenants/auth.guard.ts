import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { type AppConfig, InjectConfig } from '#config';
import type { ApiKeyScope, TenantKind } from '#database';
import { ProblemException, problems } from '../common/problem.js';
import { secretsEqual } from './api-key-token.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { AUTH_MODE, type AuthenticatedRequest, type AuthMode, REQUIRED_SCOPE, TENANT_KIND } from './auth.decorators.js';

/** Global guard: every route needs a tenant key unless marked @Public or @AdminOnly. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly apiKeys: ApiKeysService,
    private readonly logger: PinoLogger,
    @InjectConfig() private readonly config: AppConfig,
    private readonly failures: AuthFailureLimiter,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const targets = [context.getHandler(), context.getClass()];
    const mode = this.reflector.getAllAndOverride<AuthMode | undefined>(AUTH_MODE, targets) ?? 'tenant';
    if (mode === 'public') return true;

    const request = context.switchToHttp().getRequest<FastifyRequest & AuthenticatedRequest>();
    // Per client address, before any key lookup: guessing keys or the admin token costs a 429.
    const wait = this.failures.retryAfterSeconds(request.ip);
    if (wait > 0) throw problems.tooManyAuthFailures(wait);
    try {
      return await this.authenticate(context, request, mode, targets);
    } catch (error) {
      if (error instanceof ProblemException && error.problem.status === 401) this.failures.recordFailure(request.ip);
      throw error;
    }
  }

  private async authenticate(
    context: ExecutionContext,
    request: FastifyRequest & AuthenticatedRequest,
    mode: AuthMode,
    targets: Parameters<Reflector['getAllAndOverride']>[1],
  ): Promise<boolean> {
    const token = bearerToken(request.headers.authorization);
    if (mode === 'admin') return this.checkAdmin(token);

    const tenant = await this.apiKeys.authenticate(token);
    if (!tenant) throw problems.unauthorized('The API key is unknown, revoked or expired.');
    if (tenant.suspended) throw problems.tenantSuspended();
    request.tenant = tenant;
    this.tagLogs(context, tenant.tenantId);

    const requiredKind = this.reflector.getAllAndOverride<TenantKind | undefined>(TENANT_KIND, targets);
    if (requiredKind && tenant.kind !== requiredKind) {
      throw problems.forbidden(`This route is for ${requiredKind} tenants; this tenant is a ${tenant.kind}.`);
    }
    const requiredScope =
      this.reflector.getAllAndOverride<ApiKeyScope | undefined>(REQUIRED_SCOPE, targets) ??
      (READ_METHODS.has(request.method) ? 'read' : 'write');
    if (!tenant.scopes.includes(requiredScope)) throw problems.insufficientScope(requiredScope, tenant.scopes);
    return true;
  }

  /** The tenant id on every later log line of this request, Fastify's "request completed" included. */
  private tagLogs(context: ExecutionContext, tenantId: string): void {
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.log = reply.log.child({ tenantId });
    this.logger.assign({ tenantId });
  }

  private async checkAdmin(token: string): Promise<boolean> {
    // Every configured token is compared (no early exit), so timing says nothing about which matched.
    let admin = false;
    for (const accepted of this.config.adminTokens) admin = secretsEqual(token, accepted) || admin;
    if (admin) return true;
    if (await this.apiKeys.authenticate(token)) {
      throw problems.forbidden('This route needs the platform admin token, not a tenant API key.');
    }
    throw problems.unauthorized('The admin token is not valid.');
  }
}

const READ_METHODS = new Set(['GET', 'HEAD']);

function bearerToken(header: string | undefined): string {
  if (!header) throw problems.unauthorized('Send an API key as `Authorization: Bearer <key>`.');
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) throw problems.unauthorized('The Authorization header must use the Bearer scheme.');
  return match[1];
}
