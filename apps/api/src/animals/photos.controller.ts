import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  HttpStatus,
  Param,
  Post,
  Query,
  Req,
  Res,
  UploadedFile,
  UseInterceptors,
} from '@nestjs/common';
import { FileStreamInterceptor, type MultipartFileStream } from '@nestjs/platform-fastify/multipart';
import {
  ApiAcceptedResponse,
  ApiBadRequestResponse,
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiExtraModels,
  ApiNoContentResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiPayloadTooLargeResponse,
  ApiTags,
  ApiUnsupportedMediaTypeResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { TenantContext } from '#database';
import { PHOTO_MAX_BYTES } from '#storage';
import { PageQueryDto, toPageRequest } from '../common/pagination.js';
import { ProblemDocument, problems } from '../common/problem.js';
import { UuidParamPipe } from '../common/uuid-param.pipe.js';
import { createValidationPipe } from '../common/validation.js';
import { CurrentTenant, ForTenantKind } from '../tenants/auth.decorators.js';
import { CreatePhotoUploadDto, PhotoDto, PhotoMultipartDto, PhotoPageDto, PhotoUploadDto } from './dto/photo.dto.js';
import { PhotosService } from './photos.service.js';

const bodyValidation = createValidationPipe();

@ApiTags('Photos')
@ForTenantKind('clinic')
@Controller({ path: 'animals/:animalId/photos', version: '1' })
export class PhotosController {
  constructor(private readonly photos: PhotosService) {}

  @Post()
  @UseInterceptors(FileStreamInterceptor('file', { limits: { fileSize: PHOTO_MAX_BYTES, files: 1, fields: 10 } }))
  @ApiOperation({
    operationId: 'createPhoto',
    summary: 'Add a photo',
    description:
      'JSON `{contentType, filename, bytes}` answers 201 with a presigned PUT (15 minutes at most) for the original; ' +
      'the photo is `pending_upload` until the upload lands. `multipart/form-data` with a `file` field streams the file ' +
      'through the API instead and answers 202 with the photo `processing`. Either way renditions follow asynchronously.',
  })
  @ApiConsumes('application/json', 'multipart/form-data')
  @ApiExtraModels(CreatePhotoUploadDto, PhotoMultipartDto)
  @ApiBody({ schema: { oneOf: [{ $ref: getSchemaPath(CreatePhotoUploadDto) }, { $ref: getSchemaPath(PhotoMultipartDto) }] } })
  @ApiCreatedResponse({ type: PhotoUploadDto, description: 'JSON request: upload the original with the returned request.' })
  @ApiAcceptedResponse({ type: PhotoDto, description: 'Multipart request: stored, renditions are being made.' })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  @ApiPayloadTooLargeResponse({ type: ProblemDocument, description: 'More than 50 MB.' })
  @ApiUnsupportedMediaTypeResponse({ type: ProblemDocument, description: 'Not JPEG, PNG, WebP, HEIC/HEIF, AVIF, TIFF or GIF.' })
  async create(
    @CurrentTenant() tenant: TenantContext,
    @Param('animalId', UuidParamPipe) animalId: string,
    @Req() request: FastifyRequest,
    @Res() reply: FastifyReply,
    @Body() body: unknown,
    @UploadedFile() file: MultipartFileStream | undefined,
  ): Promise<void> {
    if (file) {
      const photo = await this.photos.receiveUpload(tenant, animalId, {
        filename: file.originalname,
        contentType: file.mimetype,
        stream: file.stream,
      });
      void reply.status(HttpStatus.ACCEPTED).send(photo);
      return;
    }
    if (/^multipart\//i.test(request.headers['content-type'] ?? ''))
      throw problems.validation([{ field: 'file', message: 'a multipart request must carry the photo in a `file` field' }]);
    const input = (await bodyValidation.transform(body ?? {}, { type: 'body', metatype: CreatePhotoUploadDto })) as CreatePhotoUploadDto;
    void reply.status(HttpStatus.CREATED).send(await this.photos.createUpload(tenant, animalId, input));
  }

  @Get()
  @ApiOperation({
    operationId: 'listPhotos',
    summary: "List an animal's photos",
    description: 'Ready photos carry presigned rendition URLs (15 minutes at most).',
  })
  @ApiOkResponse({ type: PhotoPageDto })
  @ApiBadRequestResponse({ type: ProblemDocument })
  @ApiNotFoundResponse({ type: ProblemDocument })
  list(
    @CurrentTenant() tenant: TenantContext,
    @Param('animalId', UuidParamPipe) animalId: string,
    @Query() query: PageQueryDto,
  ): Promise<PhotoPageDto> {
    return this.photos.list(tenant, animalId, toPageRequest(query));
  }

  @Get(':photoId')
  @ApiOperation({ operationId: 'getPhoto', summary: 'Get a photo' })
  @ApiOkResponse({ type: PhotoDto })
  @ApiNotFoundResponse({ type: ProblemDocument })
  get(
    @CurrentTenant() tenant: TenantContext,
    @Param('animalId', UuidParamPipe) animalId: string,
    @Param('photoId', UuidParamPipe) photoId: string,
  ): Promise<PhotoDto> {
    return this.photos.get(tenant, animalId, photoId);
  }

  @Delete(':photoId')
  @HttpCode(HttpStatus.NO_CONTENT)
  @ApiOperation({ operationId: 'deletePhoto', summary: 'Delete a photo with its original and renditions' })
  @ApiNoContentResponse()
  @ApiNotFoundResponse({ type: ProblemDocument })
  delete(
    @CurrentTenant() tenant: TenantContext,
    @Param('animalId', UuidParamPipe) animalId: string,
    @Param('photoId', UuidParamPipe) photoId: string,
  ): Promise<void> {
    return this.photos.delete(tenant, animalId, photoId);
  }
}
