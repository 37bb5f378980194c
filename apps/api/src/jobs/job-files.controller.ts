import type { Readable } from 'node:stream';
import { Body, Controller, Delete, Get, HttpCode, HttpStatus, Param, Post, Put, Query, Req } from '@nestjs/common';
import {
  ApiBody,
  ApiConflictResponse,
  ApiConsumes,
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { FastifyRequest } from 'fastify';
import type { TenantContext } from '#database';
import { PageQueryDto, toPageRequest } from '../common/pagination.js';
import { ProblemDocument, problems } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CurrentTenant, ForTenantKind } from '../tenants/auth.decorators.js';
import { CompleteMultipartDto, DeclareFileDto, DeclaredFileDto, JobFileDto, JobFilePageDto } from './dto/file.dto.js';
import { JobFilesService } from './job-files.service.js';

@ApiTags('Job files')
@ForTenantKind('studio')
@Controller({ path: 'jobs/:id/files', version: '1' })
export class JobFilesController {
  constructor(private readonly files: JobFilesService) {}

  @Post()
  @ApiOperation({
    operationId: 'createJobFile',
    summary: 'Declare a file and get where to upload it',
    description: 'Up to 100 MB: one presigned PUT. Larger: presigned multipart part URLs, then `complete`.',
  })
  @ApiCreatedResponse({ type: DeclaredFileDto })
  @ApiConflictResponse({ type: ProblemDocument, description: 'The job is not a draft.' })
  declare(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) jobId: string,
    @Body() body: DeclareFileDto,
  ): Promise<DeclaredFileDto> {
    return this.files.declare(tenant, jobId, body);
  }

  @Get()
  @ApiOperation({ operationId: 'listJobFiles', summary: 'Files with status, attempts, error and outputs' })
  @ApiOkResponse({ type: JobFilePageDto })
  list(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) jobId: string,
    @Query() query: PageQueryDto,
  ): Promise<JobFilePageDto> {
    return this.files.list(tenant, jobId, toPageRequest(query));
  }

  @Post(':fileId/complete')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'completeJobFileUpload', summary: 'Complete a multipart upload with the ETag of every part' })
  @ApiOkResponse({ type: JobFileDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  complete(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) jobId: string,
    @Param('fileId', UuidParamPipe) fileId: string,
    @Body() body: CompleteMultipartDto,
  ): Promise<JobFileDto> {
    return this.files.completeMultipart(tenant, jobId, fileId, body);
  }

  @Put(':fileId/content')
  @ApiOperation({
    operationId: 'uploadJobFileContent',
    summary: 'Upload the file through the API (streamed; send exactly the declared bytes)',
  })
  @ApiConsumes('application/octet-stream')
  @ApiBody({ schema: { type: 'string', format: 'binary' } })
  @ApiOkResponse({ type: JobFileDto })
  @ApiPayloadTooLargeResponse({ type: ProblemDocument })
  upload(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) jobId: string,
    @Param('fileId', UuidParamPipe) fileId: string,
    @Req() request: FastifyRequest,
  ): Promise<JobFileDto> {
    const body = request.body as Readable | undefined;
    if (!body || typeof body.pipe !== 'function') {
      throw problems.unsupportedMediaType('Send the file as the raw request body with Content-Type: application/octet-stream.');
    }
    return this.files.uploadThroughApi(tenant, jobId, fileId, body);
  }

  @Delete(':fileId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deleteJobFile', summary: 'Remove a declared file from a draft, with its partial or multipart upload' })
  @ApiNoContentResponse()
  @ApiConflictResponse({ type: ProblemDocument, description: 'The job is not a draft.' })
  @ApiNotFoundResponse({ type: ProblemDocument })
  async remove(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) jobId: string,
    @Param('fileId', UuidParamPipe) fileId: string,
  ): Promise<void> {
    await this.files.remove(tenant, jobId, fileId);
  }

  @Post(':fileId/upload-target')
  @HttpCode(HttpStatus.OK)
  @ApiOperation({ operationId: 'renewJobFileUploadTarget', summary: 'A fresh upload target for a declared file (its URLs expire)' })
  @ApiOkResponse({ type: DeclaredFileDto })
  @ApiConflictResponse({ type: ProblemDocument, description: 'The job is not a draft.' })
  @ApiNotFoundResponse({ type: ProblemDocument })
  renewUploadTarget(
    @CurrentTenant() tenant: TenantContext,
    @Param('id', UuidParamPipe) jobId: string,
    @Param('fileId', UuidParamPipe) fileId: string,
  ): Promise<DeclaredFileDto> {
    return this.files.renewUploadTarget(tenant, jobId, fileId);
  }
}
