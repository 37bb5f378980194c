import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApiKeysController } from './api-keys.controller.js';
import { ApiKeysRepository } from './api-keys.repository.js';
import { ApiKeysService } from './api-keys.service.js';
import { AuthFailureLimiter } from './auth-failure-limiter.js';
import { AuthGuard } from './auth.guard.js';
import { RateLimitGuard } from './rate-limit.guard.js';
import { TenantDeletionRepository } from './tenant-deletion.repository.js';
import { TenantDeletionService } from './tenant-deletion.service.js';
import { TenantStorage } from './tenant-storage.js';
import { TenantsController } from './tenants.controller.js';
import { TenantsRepository } from './tenants.repository.js';
import { TenantsService } from './tenants.service.js';

@Module({
  controllers: [TenantsController, ApiKeysController],
  providers: [
    TenantsRepository,
    TenantsService,
    TenantDeletionRepository,
    TenantDeletionService,
    TenantStorage,
    ApiKeysRepository,
    ApiKeysService,
    AuthFailureLimiter,
    { provide: APP_GUARD, useClass: AuthGuard },
    // After the AuthGuard, so requests are counted per tenant.
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
  exports: [ApiKeysService],
})
export class TenantsModule {}
