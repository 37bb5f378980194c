import { type DynamicModule, Module } from '@nestjs/common';
import { APP_FILTER, APP_INTERCEPTOR } from '@nestjs/core';
import { ThrottlerModule } from '@nestjs/throttler';
import { TypeOrmModule } from '@nestjs/typeorm';
import { LoggerModule } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import { AppConfigModule, type ResolvedConfig } from '#config';
import { apiDataSourceOptions, createScopedDataSource } from '#database';
import { StorageModule } from '#storage';
import { IdempotencyInterceptor } from './common/idempotency.interceptor.js';
import { IdempotencyStore } from './common/idempotency.store.js';
import { ProblemDetailsFilter } from './common/problem.filter.js';
import { loggerParams } from './logging.js';
import { AnimalsModule } from './animals/animals.module.js';
import { AuditContextInterceptor } from './audit/audit-context.js';
import { AuditModule } from './audit/audit.module.js';
import { HealthModule } from './health/health.module.js';
import { JobsModule } from './jobs/jobs.module.js';
import { QuotasModule } from './quotas/quotas.module.js';
import { InternalModule } from './internal/internal.module.js';
import { RequestDrain, RequestDrainInterceptor } from './lifecycle/request-drain.js';
import { DbScopeInterceptor } from './tenants/db-scope.interceptor.js';
import { RATE_LIMIT_STORAGE, tenantThrottling, ThrottlerStorageCloser, throttlerStorage } from './tenants/tenant-throttling.js';
import { TenantsModule } from './tenants/tenants.module.js';
import { WebhooksModule } from './webhooks/webhooks.module.js';

/** Static config for one process: everything reads the validated AppConfig, never process.env. */
@Module({})
export class AppModule {
  /** `logStream`: where the API's JSON log lines go (stdout unless given; tests capture them). */
  static forRoot(config: ResolvedConfig, logStream?: DestinationStream): DynamicModule {
    const rateLimitStorage = throttlerStorage(config.redisUrl);
    return {
      module: AppModule,
      imports: [
        AppConfigModule.forRoot(config),
        LoggerModule.forRoot(loggerParams(config, logStream)),
        TypeOrmModule.forRootAsync({
          useFactory: () => ({ ...apiDataSourceOptions(config.database.url), retryAttempts: 3, retryDelay: 500 }),
          // Every query honours the request's tenant (row-level security, see #database db-scope).
          dataSourceFactory: async (options) => createScopedDataSource(options!).initialize(),
        }),
        ThrottlerModule.forRoot(tenantThrottling(config.rateLimitPerMinute, rateLimitStorage)),
        StorageModule,
        HealthModule,
        TenantsModule,
        QuotasModule,
        JobsModule,
        AnimalsModule,
        InternalModule,
        WebhooksModule,
        AuditModule,
      ],
      providers: [
        // First: every later interceptor and the handler run in the request's database scope.
        { provide: APP_INTERCEPTOR, useClass: DbScopeInterceptor },
        // The actor and request id every audit event of the request names.
        { provide: APP_INTERCEPTOR, useClass: AuditContextInterceptor },
        { provide: APP_FILTER, useClass: ProblemDetailsFilter },
        RequestDrain,
        { provide: APP_INTERCEPTOR, useClass: RequestDrainInterceptor },
        { provide: RATE_LIMIT_STORAGE, useValue: rateLimitStorage },
        ThrottlerStorageCloser,
        IdempotencyStore,
        { provide: APP_INTERCEPTOR, useClass: IdempotencyInterceptor },
      ],
    };
  }
}
