import { Module } from '@nestjs/common';
import { AdminLimitsController } from './admin-limits.controller.js';
import { QuotasService } from './quotas.service.js';
import { TenantLimitsRepository } from './tenant-limits.repository.js';
import { UsageController } from './usage.controller.js';

/** Per-tenant limits and usage: `GET /v1/usage`, the admin's limits routes, and the checks the jobs module runs. */
@Module({
  controllers: [UsageController, AdminLimitsController],
  providers: [TenantLimitsRepository, QuotasService],
  exports: [QuotasService],
})
export class QuotasModule {}
