import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { ThrottlerStorageRedisService } from '@nest-lab/throttler-storage-redis';
import type { ThrottlerModuleOptions, ThrottlerStorage } from '@nestjs/throttler';
import type { AuthenticatedRequest } from './auth.decorators.js';
import { FixedWindowThrottlerStorage } from './fixed-window-throttler-storage.js';

/**
 * Each tenant gets RATE_LIMIT_PER_MINUTE requests a minute, whatever key it uses; requests without
 * a tenant (admin, public) are counted per client address. The AuthGuard runs first and sets the tenant.
 */
export function tenantThrottling(
  limitPerMinute: number,
  storage: ThrottlerStorage = new FixedWindowThrottlerStorage(),
): ThrottlerModuleOptions {
  return {
    throttlers: [{ name: 'default', ttl: 60_000, limit: limitPerMinute }],
    getTracker: (request: Record<string, unknown>) => {
      const tenant = (request as AuthenticatedRequest).tenant;
      return tenant ? `tenant:${tenant.tenantId}` : `ip:${String(request.ip)}`;
    },
    // One budget per tenant across all routes (the throttler's default key is per route).
    generateKey: (_context, tracker, name) => `${name}:${tracker}`,
    storage,
    errorMessage: 'Too many requests for this tenant; retry after the time in Retry-After.',
  };
}

/**
 * Where the counters live: in Redis when REDIS_URL is set, so that every API instance draws on the
 * same budget per tenant (a Lua script increments and reads atomically); in this process otherwise.
 */
export function throttlerStorage(redisUrl: string | undefined): ThrottlerStorage & { onModuleDestroy?(): void } {
  // A request waits for at most two reconnection attempts, never forever, when Redis is away.
  return redisUrl ? new ThrottlerStorageRedisService(redisUrl, { maxRetriesPerRequest: 2 }) : new FixedWindowThrottlerStorage();
}

export const RATE_LIMIT_STORAGE = Symbol('RateLimitStorage');

/** Closes the Redis connection of the throttler storage on shutdown. */
@Injectable()
export class ThrottlerStorageCloser implements OnModuleDestroy {
  constructor(@Inject(RATE_LIMIT_STORAGE) private readonly storage: ThrottlerStorage & { onModuleDestroy?(): void }) {}

  onModuleDestroy(): void {
    this.storage.onModuleDestroy?.();
  }
}
