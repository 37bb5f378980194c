import type { ThrottlerModuleOptions } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './auth.decorators.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage.js';

/**
 * Each tenant gets RATE_LIMIT_PER_MINUTE requests a minute, whatever key it uses; requests without
 * a tenant (admin, public) are counted per client address. The AuthGuard runs first and sets the tenant.
 */
export function tenantThrottling(limitPerMinute: number): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: 60_000, limit: limitPerMinute }],
    getTracker: (request: Record<string, unknown>) => {
      const tenant = (request as AuthenticatedRequest).tenant;
      return tenant ? `tenant:${tenant.tenantId}` : `ip:${String(request.ip)}`;
    },
    // One budget per tenant across all routes (the throttler's default key is per route).
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    storage: new FixedWindowThrottlerStorage(),
    errorMessage: 'Too many requests for this tenant; retry after the time in Retry-After.',
  };
}
