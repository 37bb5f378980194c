import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { ArrayMaxSize, ArrayMinSize, IsInt, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import { FILE_STATUSES, type FileStatus } from '#database';
import { SingleLine } from '../../common/text-rules.js';

export const MAX_FILE_BYTES = 4 * 1024 ** 3;
export const SINGLE_PUT_MAX_BYTES = 100 * 1024 ** 2;

export class DeclareFileDto {
  @ApiProperty({ example: 'DSC_0042.NEF', maxLength: 255, description: 'Kept for display and ZIP names; never part of a storage key.' })
  @IsString()
  @Length(1, 255)
  @SingleLine()
  filename: string;

  @ApiProperty({ example: 25_165_824, minimum: 1, maximum: MAX_FILE_BYTES })
  @IsInt()
  @Min(1)
  @Max(MAX_FILE_BYTES)
  bytes: number;
}

export class PartTargetDto {
  @ApiProperty({ example: 1 }) partNumber: number;
  @ApiProperty({ description: 'Presigned PUT for this part.' }) url: string;
  @ApiProperty({ example: 16_777_216, description: 'The part’s exact size; it is signed, so S3 refuses a body of any other length.' })
  bytes: number;
}

export class UploadTargetDto {
  @ApiProperty({ enum: ['PUT', 'MULTIPART'], description: 'PUT: one presigned request. MULTIPART: PUT each part, then call `complete`.' })
  method: 'PUT' | 'MULTIPART';
  @ApiPropertyOptional({ description: 'Presigned PUT (method PUT).' }) url?: string;
  @ApiProperty({ type: 'object', additionalProperties: { type: 'string' }, example: { 'Content-Type': 'application/octet-stream' } })
  headers: Record<string, string>;
  @ApiPropertyOptional({ example: 16_777_216, description: 'Bytes per part (method MULTIPART); the last part may be smaller.' })
  partSize?: number;
  @ApiPropertyOptional({ type: [PartTargetDto] }) parts?: PartTargetDto[];
  @ApiPropertyOptional({ example: '/v1/jobs/{id}/files/{fileId}/complete' }) completeUrl?: string;
  @ApiProperty({ example: '/v1/jobs/{id}/files/{fileId}/content', description: 'Alternative: stream the body through the API with PUT.' })
  apiUploadUrl: string;
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}

export class FileOutputDto {
  @ApiProperty({ example: 'web' }) variant: string;
  @ApiProperty({ example: 'jpeg' }) format: string;
  @ApiProperty({ example: 2048 }) width: number;
  @ApiProperty({ example: 1365 }) height: number;
  @ApiProperty({ example: 734_112 }) bytes: number;
}

export class JobFileDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'DSC_0042.NEF' }) filename: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ enum: FILE_STATUSES }) status: FileStatus;
  @ApiProperty({ example: 1 }) attempts: number;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'file is truncated or corrupt: …' }) error: string | null;
  @ApiPropertyOptional({ nullable: true, type: String, example: 'dcraw_emu', description: 'What produced the picture.' }) source:
    string | null;
  @ApiProperty({ type: [FileOutputDto] }) outputs: FileOutputDto[];
  @ApiPropertyOptional({
    nullable: true,
    type: 'object',
    additionalProperties: { type: 'number' },
    example: { downloadMs: 40, decodeMs: 380, renderMs: 310, uploadMs: 60 },
  })
  timings: Record<string, number> | null;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
}

export class DeclaredFileDto {
  @ApiProperty({ type: JobFileDto }) file: JobFileDto;
  @ApiProperty({ type: UploadTargetDto }) upload: UploadTargetDto;
}

export class JobFilePageDto {
  @ApiProperty({ type: [JobFileDto] }) items: JobFileDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}

export class CompletedPartDto {
  @ApiProperty({ example: 1 })
  @IsInt()
  @Min(1)
  @Max(10_000)
  partNumber: number;

  @ApiProperty({ example: '"9b2cf535f27731c974343645a3985328"' })
  @IsString()
  @Length(1, 200)
  etag: string;
}

export class CompleteMultipartDto {
  @ApiProperty({ type: [CompletedPartDto] })
  @ArrayMinSize(1)
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => CompletedPartDto)
  parts: CompletedPartDto[];
}

export class DownloadLinkDto {
  @ApiProperty({ example: 'DSC_0042_web.jpg' }) filename: string;
  @ApiProperty() bytes: number;
  @ApiProperty({ description: 'Presigned GET, Content-Disposition: attachment.' }) url: string;
}

export class VariantDownloadDto extends DownloadLinkDto {
  @ApiProperty({ example: 'web' }) variant: string;
  @ApiProperty() width: number;
  @ApiProperty() height: number;
}

export class FileDownloadDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty() filename: string;
  @ApiProperty({ enum: FILE_STATUSES }) status: FileStatus;
  @ApiPropertyOptional({ nullable: true, type: String }) error: string | null;
  @ApiProperty({ type: [VariantDownloadDto] }) variants: VariantDownloadDto[];
}

export class JobDownloadDto {
  @ApiPropertyOptional({ type: DownloadLinkDto, nullable: true, description: 'The whole job as one ZIP (null when no file succeeded).' })
  archive: DownloadLinkDto | null;
  @ApiProperty({ type: [FileDownloadDto] }) files: FileDownloadDto[];
  @ApiProperty({ format: 'date-time' }) expiresAt: string;
}
