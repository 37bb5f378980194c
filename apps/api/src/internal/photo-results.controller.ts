import { Body, Controller, HttpCode, HttpStatus, Param, Post, UseGuards } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { PhotoReport, PhotoReportAck } from '#thumbnails';
import { PhotoReportsService } from '../animals/photo-reports.service.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { Public } from '../tenants/auth.decorators.js';
import { SystemScope } from '../tenants/db-scope.interceptor.js';
import { CallbackSignatureGuard } from './callback-signature.guard.js';
import { PhotoReportDto } from './dto/photo-report.dto.js';

/** Called by the thumbnail Lambda only; not part of the public API document. */
@ApiExcludeController()
@Public()
@UseGuards(CallbackSignatureGuard)
@SystemScope('thumbnail Lambda report: the photo id is all it names')
@Controller('internal/v1/photos')
export class PhotoResultsController {
  constructor(private readonly reports: PhotoReportsService) {}

  @Post(':photoId/result')
  @HttpCode(HttpStatus.OK)
  report(@Param('photoId', UuidParamPipe) photoId: string, @Body() body: PhotoReportDto): Promise<PhotoReportAck> {
    return this.reports.apply(photoId, body as PhotoReport);
  }
}
