import { Controller, Get, Param } from '@nestjs/common';
import { ApiConflictResponse, ApiNotFoundResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { TenantContext } from '#database';
import { ProblemDocument } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { CurrentTenant, ForTenantKind } from '../tenants/auth.decorators.js';
import { JobDownloadDto } from './dto/file.dto.js';
import { DownloadsService } from './downloads.service.js';

@ApiTags('Downloads')
@ForTenantKind('studio')
@Controller({ path: 'jobs', version: '1' })
export class DownloadsController {
  constructor(private readonly downloads: DownloadsService) {}

  @Get(':id/download')
  @ApiOperation({ operationId: 'getJobDownload', summary: 'Presigned links to the ZIP and every variant (valid 15 minutes at most)' })
  @ApiOkResponse({ type: JobDownloadDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  @ApiConflictResponse({ type: ProblemDocument, description: 'The job has not completed.' })
  download(@CurrentTenant() tenant: TenantContext, @Param('id', UuidParamPipe) id: string): Promise<JobDownloadDto> {
    return this.downloads.links(tenant, id);
  }
}
