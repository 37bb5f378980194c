import { Body, Controller, Get, HttpCode, HttpStatus, Param, Post, Query } from '@nestjs/common';
import {
  ApiBadRequestResponse,
  ApiConflictResponse,
  ApiCreatedResponse,
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
import { CreateJobDto, JobDto, JobListQueryDto, JobPageDto } from './dto/job.dto.js';
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
  @ApiOperation({ operationId: 'submitJob', summary: 'Queue the job', description: 'Checks every declared upload (409 names the missing or wrong-sized ones) and starts workers.' })
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
}
