import { Body, Controller, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { ClaimArchiveResponse, ClaimFileResponse, LeaseResponse, PresignedTarget } from '#worker-protocol';
import { UuidParamPipe } from '../../common/uuid-param.pipe.js';
import { Public } from '../../tenants/auth.decorators.js';
import { SystemScope } from '../../tenants/db-scope.interceptor.js';
import { CapacityService } from '../launcher/capacity.service.js';
import { ArchivePartDto, CompleteArchiveDto, CompleteFileDto, FailFileDto, HeartbeatDto, StoppedDto } from './dto/worker-protocol.dto.js';
import { WorkerArchivesService } from './worker-archives.service.js';
import { CurrentWorker, WorkerAuthGuard } from './worker-auth.guard.js';
import { WorkerFilesService } from './worker-files.service.js';
import { WorkersRepository } from './workers.repository.js';

/** The batch workers' only way in (see `#worker-protocol`); not part of the public API document. */
@ApiExcludeController()
@Public()
@UseGuards(WorkerAuthGuard)
@SystemScope('batch worker protocol: the queue spans every tenant')
@Controller('internal/v1/workers')
export class WorkersController {
  constructor(
    private readonly files: WorkerFilesService,
    private readonly archives: WorkerArchivesService,
    private readonly workers: WorkersRepository,
    private readonly capacity: CapacityService,
  ) {}

  @Post('heartbeat')
  @HttpCode(HttpStatus.NO_CONTENT)
  async heartbeat(@CurrentWorker() workerId: string, @Body() body: HeartbeatDto): Promise<void> {
    await this.workers.heartbeat(workerId, body.pid);
  }

  @Post('stopped')
  @HttpCode(HttpStatus.NO_CONTENT)
  async stopped(@CurrentWorker() workerId: string, @Body() body: StoppedDto): Promise<void> {
    await this.capacity.workerStopped(workerId, body.reason);
  }

  @Post('files/claim')
  @HttpCode(HttpStatus.OK)
  async claimFile(@CurrentWorker() workerId: string): Promise<ClaimFileResponse> {
    return { file: await this.files.claim(workerId) };
  }

  @Post('files/:fileId/renew')
  @HttpCode(HttpStatus.OK)
  async renew(@CurrentWorker() workerId: string, @Param('fileId', UuidParamPipe) fileId: string): Promise<LeaseResponse> {
    return { held: await this.files.renew(workerId, fileId) };
  }

  @Post('files/:fileId/complete')
  @HttpCode(HttpStatus.OK)
  async complete(
    @CurrentWorker() workerId: string,
    @Param('fileId', UuidParamPipe) fileId: string,
    @Body() body: CompleteFileDto,
  ): Promise<LeaseResponse> {
    return { held: await this.files.complete(workerId, fileId, body) };
  }

  @Post('files/:fileId/fail')
  @HttpCode(HttpStatus.NO_CONTENT)
  async fail(@CurrentWorker() workerId: string, @Param('fileId', UuidParamPipe) fileId: string, @Body() body: FailFileDto): Promise<void> {
    await this.files.fail(workerId, fileId, body);
  }

  @Post('files/:fileId/release')
  @HttpCode(HttpStatus.NO_CONTENT)
  async release(@CurrentWorker() workerId: string, @Param('fileId', UuidParamPipe) fileId: string): Promise<void> {
    await this.files.release(workerId, fileId);
  }

  @Post('archives/claim')
  @HttpCode(HttpStatus.OK)
  async claimArchive(@CurrentWorker() workerId: string): Promise<ClaimArchiveResponse> {
    return { archive: await this.archives.claim(workerId) };
  }

  @Post('archives/:jobId/parts')
  @HttpCode(HttpStatus.OK)
  archivePart(
    @CurrentWorker() workerId: string,
    @Param('jobId', UuidParamPipe) jobId: string,
    @Body() body: ArchivePartDto,
  ): Promise<PresignedTarget> {
    return this.archives.presignPart(workerId, jobId, body);
  }

  @Post('archives/:jobId/complete')
  @HttpCode(HttpStatus.NO_CONTENT)
  async completeArchive(
    @CurrentWorker() workerId: string,
    @Param('jobId', UuidParamPipe) jobId: string,
    @Body() body: CompleteArchiveDto,
  ): Promise<void> {
    await this.archives.complete(workerId, jobId, body);
  }

  @Post('archives/:jobId/release')
  @HttpCode(HttpStatus.NO_CONTENT)
  async releaseArchive(@CurrentWorker() workerId: string, @Param('jobId', UuidParamPipe) jobId: string): Promise<void> {
    await this.archives.release(workerId, jobId);
  }
}
