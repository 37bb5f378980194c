import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsString, Length, Min } from 'class-validator';
import { PHOTO_STATUSES, type PhotoStatus } from '#database';
import { PHOTO_CONTENT_TYPES, PHOTO_MAX_BYTES } from '#storage';
import { SingleLine } from '../../common/text-rules.js';

export class CreatePhotoUploadDto {
  @ApiProperty({
    example: 'image/jpeg',
    description: `One of ${PHOTO_CONTENT_TYPES.join(', ')}; anything else answers 415.`,
  })
  @IsString()
  @Length(3, 100)
  contentType: string;

  @ApiProperty({ example: 'IMG_2041.jpg', maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  filename: string;

  @ApiProperty({ example: 2_483_112, minimum: 1, maximum: PHOTO_MAX_BYTES, description: 'Exact size; more than 50 MB answers 413.' })
  @IsInt()
  @Min(1)
  bytes: number;
}

/** For the OpenAPI document only: the multipart form of the same route. */
export class PhotoMultipartDto {
  @ApiProperty({ type: 'string', format: 'binary', description: 'The image (at most 50 MB), streamed to storage.' })
  file: unknown;
}

export class OriginalDto {
  @ApiProperty({ example: 'jpeg', description: 'Format detected from the bytes, whatever the declared type.' })
  format: string;

  @ApiProperty({ example: 4000, description: 'After EXIF orientation.' })
  width: number;

  @ApiProperty({ example: 3000 })
  height: number;

  @ApiProperty({
    example: '2024-05-01T09:30:00.000Z',
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'EXIF DateTimeOriginal.',
  })
  takenAt: string | null;
}

export class RenditionDto {
  @ApiProperty({ example: 'large', enum: ['thumb', 'small', 'large'] })
  name: string;

  @ApiProperty({ example: 'image/jpeg' })
  contentType: string;

  @ApiProperty({ example: 1600 })
  width: number;

  @ApiProperty({ example: 1200 })
  height: number;

  @ApiProperty({ example: 312_004 })
  bytes: number;

  @ApiProperty({
    example: 'https://revela-processed.s3.amazonaws.com/tenants/…/large.jpg?X-Amz-Signature=…',
    description: 'Presigned GET, valid 15 minutes at most.',
  })
  url: string;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

export class PhotoDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ format: 'uuid' })
  animalId: string;

  @ApiProperty({ enum: PHOTO_STATUSES, example: 'ready' })
  status: PhotoStatus;

  @ApiProperty({ example: 'IMG_2041.jpg' })
  filename: string;

  @ApiProperty({ example: 'image/jpeg', description: 'As declared by the client.' })
  contentType: string;

  @ApiProperty({ example: 2_483_112, nullable: true, type: Number })
  bytes: number | null;

  @ApiProperty({ example: null, nullable: true, type: String, description: 'Why processing failed, readable by staff.' })
  failureReason: string | null;

  @ApiProperty({ type: OriginalDto, nullable: true })
  original: OriginalDto | null;

  @ApiProperty({ type: [RenditionDto], description: 'Empty until the photo is ready.' })
  renditions: RenditionDto[];

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiProperty({ format: 'date-time' })
  updatedAt: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  processedAt: string | null;
}

/** Named apart from the job files' UploadTargetDto: OpenAPI schemas share one namespace. */
export class PhotoUploadTargetDto {
  @ApiProperty({ example: 'PUT' })
  method: 'PUT';

  @ApiProperty({ example: 'https://revela-uploads.s3.amazonaws.com/tenants/…/original?X-Amz-Signature=…' })
  url: string;

  @ApiProperty({ example: { 'Content-Type': 'image/jpeg', 'Content-Length': '2483112' }, description: 'Send exactly these headers.' })
  headers: Record<string, string>;

  @ApiProperty({ format: 'date-time' })
  expiresAt: string;
}

export class PhotoUploadDto {
  @ApiProperty({ type: PhotoDto })
  photo: PhotoDto;

  @ApiProperty({ type: PhotoUploadTargetDto })
  upload: PhotoUploadTargetDto;
}

export class PhotoPageDto {
  @ApiProperty({ type: [PhotoDto] })
  items: PhotoDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
