import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Patch, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import type { TenantContext } from '#database';
import { toPageRequest } from '../common/pagination.js';
import { ProblemDocument } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CurrentTenant, ForTenantKind } from '../tenants/auth.decorators.js';
import { CreateJobDto, JobDto, JobListQueryDto, JobPageDto, RetryJobResultDto, UpdateJobDto } from './dto/job.dto.js';
import { JobsService } from './jobs.service.js';

@ApiTags('Jobs')
@ForTenantKind('studio')
@Controller({ path: 'jobs', version: '1' })
export class JobsController {
  constructor(private readonly jobs: JobsService) {}

  @Post()
  @ApiOperation({ operationId: 'createJob', summary: 'Create a RAW processing job (draft)' })
  @ApiCreatedResponse({ type: JobDto })
  @ApiBadRequestResponse({ type: ProblemDocument, description: 'Invalid name or preset; `errors` names each field.' })
  create(@CurrentTenant() tenant: TenantContext, @Body() body: CreateJobDto): Promise<JobDto> {
    return this.jobs.create(tenant, body);
  }

  @Get()
  @ApiOperation({ operationId: 'listJobs', summary: 'List jobs (cursor pagination, optional status filter)' })
  @ApiOkResponse({ type: JobPageDto })
  list(@CurrentTenant() tenant: TenantContext, @Query() query: JobListQueryDto): Promise<JobPageDto> {
    return this.jobs.list(tenant, toPageRequest(query), query.status);
  }

  @Get(':id')
  @ApiOperation({ operationId: 'getJob', summary: 'A job with its progress' })
  @ApiOkResponse({ type: JobDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  get(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<JobDto> {
    return this.jobs.get(tenant, id);
  }

  @Post(':id/submit')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'submitJob',
    summary: 'Queue the job',
    description: 'Checks every declared upload (409 names the missing or wrong-sized ones) and starts workers.',
  })
  @ApiOkResponse({ type: JobDto })
  @ApiConflictResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  submit(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<JobDto> {
    return this.jobs.submit(tenant, id);
  }

  @Post(':id/cancel')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'cancelJob', summary: 'Cancel a draft, queued or processing job' })
  @ApiOkResponse({ type: JobDto })
  @ApiConflictResponse({ type: ProblemDocument })
  cancel(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<JobDto> {
    return this.jobs.cancel(tenant, id);
  }

  @Patch(':id')
  @ApiOperation({ operationId: 'updateJob', summary: 'Rename a draft or change its preset' })
  @ApiOkResponse({ type: JobDto })
  @ApiConflictResponse({ type: ProblemDocument, description: 'The job is no longer a draft.' })
  @ApiNotFoundResponse({ type: ProblemDocument })
  update(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string, @Body() body: UpdateJobDto): Promise<JobDto> {
    return this.jobs.update(tenant, id, body);
  }

  @Post(':id/retry')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({
    operationId: 'retryJob',
    summary: 'Re-queue the failed files of a finished job',
    description: 'Attempts start over; the ZIP is rebuilt when they finish.',
  })
  @ApiOkResponse({ type: RetryJobResultDto })
  @ApiConflictResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  retry(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<RetryJobResultDto> {
    return this.jobs.retry(tenant, id);
  }

  @Delete(':id')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({
    operationId: 'deleteJob',
    summary: 'Delete a finished or canceled job with all its files',
    description: 'A running job answers 409: cancel it first.',
  })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  async delete(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<void> {
    await this.jobs.delete(tenant, id);
  }
}
