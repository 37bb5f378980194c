import { EC2Client } from '@aws-sdk/client-ec2';
import { Module } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig, type ResolvedConfig } from '#config';
import { dataSourceSql, WorkersRegistry } from '#database';
import { DownloadsService } from './downloads.service.js';
import { JobFilesController } from './job-files.controller.js';
import { JobFilesService } from './job-files.service.js';
import { JobStorage } from './job-storage.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { CapacityService } from './launcher/capacity.service.js';
import { Ec2WorkerLauncher } from './launcher/ec2-launcher.js';
import { LocalWorkerLauncher } from './launcher/local-launcher.js';
import { EC2_CLIENT, WORKERS_REGISTRY } from './launcher/tokens.js';
import { WORKER_LAUNCHER, type WorkerLauncher } from './launcher/worker-launcher.js';

@Module({
  controllers: [JobsController, JobFilesController],
  providers: [
    JobsRepository,
    JobStorage,
    JobsService,
    JobFilesService,
    DownloadsService,
    CapacityService,
    {
      provide: WORKERS_REGISTRY,
      inject: [getDataSourceToken()],
      useFactory: (db: DataSource) => new WorkersRegistry(dataSourceSql(db)),
    },
    {
      provide: EC2_CLIENT,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig) => new EC2Client({ region: config.s3.region }),
    },
    {
      provide: WORKER_LAUNCHER,
      inject: [APP_CONFIG, WORKERS_REGISTRY, EC2_CLIENT],
      useFactory: (config: ResolvedConfig, registry: WorkersRegistry, ec2: EC2Client): WorkerLauncher =>
        config.launcher.kind === 'ec2'
          ? new Ec2WorkerLauncher(ec2, registry, {
              launchTemplateId: config.launcher.ec2LaunchTemplateId!,
              launchTemplateVersion: config.launcher.ec2LaunchTemplateVersion,
            })
          : new LocalWorkerLauncher(config, registry),
    },
  ],
})
export class JobsModule {}
