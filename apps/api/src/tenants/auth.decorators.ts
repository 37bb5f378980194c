import { applyDecorators, createParamDecorator, type ExecutionContext, SetMetadata } from '@nestjs/common';
import { ApiBearerAuth, ApiForbiddenResponse, ApiUnauthorizedResponse } from '@nestjs/swagger';
import type { ApiKeyScope, AuthenticatedTenant, TenantKind } from '#database';
import { ProblemDocument } from '../common/problem.js';

export const AUTH_MODE = 'revela:auth-mode';
export const TENANT_KIND = 'revela:tenant-kind';
export const REQUIRED_SCOPE = 'revela:required-scope';
export type AuthMode = 'public' | 'admin' | 'tenant';

/** No credentials needed (health, docs). */
export const Public = () => SetMetadata(AUTH_MODE, 'public' satisfies AuthMode);

/** Only the platform admin token (ADMIN_TOKEN) is accepted. */
export const AdminOnly = () =>
  applyDecorators(
    SetMetadata(AUTH_MODE, 'admin' satisfies AuthMode),
    ApiBearerAuth('admin'),
    ApiUnauthorizedResponse({ type: ProblemDocument, description: 'Missing or invalid admin token.' }),
    ApiForbiddenResponse({ type: ProblemDocument, description: 'A tenant API key was used on an admin route.' }),
  );

/** Tenant API key required (the default for every route); documents the scheme and its errors. */
export const TenantAuth = () =>
  applyDecorators(
    ApiBearerAuth('apiKey'),
    ApiUnauthorizedResponse({ type: ProblemDocument, description: 'Missing, unknown or revoked API key.' }),
  );

/**
 * The key scope a route needs. Without it: `read` for GET and HEAD, `write` for everything else.
 * A key without the scope gets 403 `insufficient-scope` naming it.
 */
export const RequireScope = (scope: ApiKeyScope) =>
  applyDecorators(
    SetMetadata(REQUIRED_SCOPE, scope),
    ApiForbiddenResponse({ type: ProblemDocument, description: `The API key lacks the \`${scope}\` scope.` }),
  );

/** Restricts a controller to one kind of tenant; the other kind gets 403. */
export const ForTenantKind = (kind: TenantKind) =>
  applyDecorators(
    SetMetadata(TENANT_KIND, kind),
    TenantAuth(),
    ApiForbiddenResponse({ type: ProblemDocument, description: `Only ${kind} tenants may use this route.` }),
  );

export interface AuthenticatedRequest {
  tenant?: AuthenticatedTenant;
}

/** The authenticated tenant, as resolved by the AuthGuard. */
export const CurrentTenant = createParamDecorator((_data: unknown, context: ExecutionContext): AuthenticatedTenant => {
  const tenant = context.switchToHttp().getRequest<AuthenticatedRequest>().tenant;
  if (!tenant) throw new Error('CurrentTenant used on a route without tenant authentication');
  return tenant;
});
