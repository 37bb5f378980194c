import { EC2Client } from '@aws-sdk/client-ec2';
import { SSMClient } from '@aws-sdk/client-ssm';
import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { QuotasModule } from '../quotas/quotas.module.js';
import { DownloadsController } from './downloads.controller.js';
import { DownloadsService } from './downloads.service.js';
import { JobFilesController } from './job-files.controller.js';
import { JobFilesService } from './job-files.service.js';
import { JobStorage } from './job-storage.js';
import { JobsController } from './jobs.controller.js';
import { JobsRepository } from './jobs.repository.js';
import { JobsService } from './jobs.service.js';
import { JobLifecycleRepository } from './lifecycle/job-lifecycle.repository.js';
import { JobLifecycleService } from './lifecycle/job-lifecycle.service.js';
import { CapacityLock } from './launcher/capacity-lock.js';
import { CapacityService } from './launcher/capacity.service.js';
import { Ec2WorkerLauncher } from './launcher/ec2-launcher.js';
import { InternalUrl } from './launcher/internal-url.js';
import { LocalWorkerLauncher } from './launcher/local-launcher.js';
import { EC2_CLIENT, SSM_CLIENT } from './launcher/tokens.js';
import { WORKER_LAUNCHER, type WorkerLauncher } from './launcher/worker-launcher.js';
import { JobQueueRepository } from './workers/job-queue.repository.js';
import { WorkerArchivesService } from './workers/worker-archives.service.js';
import { WorkerAuthGuard } from './workers/worker-auth.guard.js';
import { WorkerFilesService } from './workers/worker-files.service.js';
import { WorkersController } from './workers/workers.controller.js';
import { WorkersRepository } from './workers/workers.repository.js';

@Module({
  imports: [QuotasModule],
  controllers: [JobsController, JobFilesController, DownloadsController, WorkersController],
  providers: [
    JobsRepository,
    JobStorage,
    JobsService,
    JobLifecycleRepository,
    JobLifecycleService,
    JobFilesService,
    DownloadsService,
    CapacityLock,
    CapacityService,
    InternalUrl,
    JobQueueRepository,
    WorkersRepository,
    WorkerAuthGuard,
    WorkerFilesService,
    WorkerArchivesService,
    { provide: EC2_CLIENT, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new EC2Client({ region: config.s3.region }) },
    { provide: SSM_CLIENT, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new SSMClient({ region: config.s3.region }) },
    {
      provide: WORKER_LAUNCHER,
      inject: [APP_CONFIG, InternalUrl, EC2_CLIENT, SSM_CLIENT],
      useFactory: (config: AppConfig, internalUrl: InternalUrl, ec2: EC2Client, ssm: SSMClient): WorkerLauncher =>
        config.launcher.kind === 'ec2'
          ? new Ec2WorkerLauncher(ec2, ssm, config, {
              launchTemplateId: config.launcher.ec2LaunchTemplateId!,
              launchTemplateVersion: config.launcher.ec2LaunchTemplateVersion,
              tokenParameterPrefix: config.launcher.tokenParameterPrefix!,
              region: config.s3.region,
              apiUrl: config.internalApiUrl!,
            })
          : new LocalWorkerLauncher(config, () => internalUrl.resolve()),
    },
  ],
})
export class JobsModule {}
