import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Min,
  ValidateIf,
  ValidateNested,
} from 'class-validator';
import type { PhotoReport, ReportedOriginal, ReportedRendition } from '#thumbnails';

export class ReportedOriginalDto implements ReportedOriginal {
  @ApiProperty({ example: 'jpeg' })
  @IsString()
  @Length(1, 20)
  format: string;

  @ApiProperty({ example: 4000 })
  @IsInt()
  @Min(1)
  width: number;

  @ApiProperty({ example: 3000 })
  @IsInt()
  @Min(1)
  height: number;

  @ApiProperty({ example: '2024-05-01T09:30:00.000Z', nullable: true, type: String })
  @IsOptional()
  @IsISO8601({ strict: true })
  takenAt: string | null;
}

export class ReportedRenditionDto implements ReportedRendition {
  @ApiProperty({ example: 'large' })
  @IsString()
  @Length(1, 40)
  name: string;

  @ApiProperty({ example: 'jpeg' })
  @IsString()
  @Length(1, 20)
  format: string;

  @ApiProperty({ example: 'image/jpeg' })
  @IsString()
  @Length(1, 100)
  contentType: string;

  @ApiProperty({ example: 1600 })
  @IsInt()
  @Min(1)
  width: number;

  @ApiProperty({ example: 1200 })
  @IsInt()
  @Min(1)
  height: number;

  @ApiProperty({ example: 312004 })
  @IsInt()
  @Min(1)
  bytes: number;

  @ApiProperty({ example: 'tenants/…/photos/…/large.jpg' })
  @IsString()
  @Length(1, 1024)
  key: string;
}

/** What the thumbnail Lambda sends; which fields apply depends on `status`. */
export class PhotoReportDto {
  @ApiProperty({ enum: ['processing', 'ready', 'failed'] })
  @IsIn(['processing', 'ready', 'failed'])
  status: PhotoReport['status'];

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  tenantId: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  animalId: string;

  @ApiPropertyOptional({ type: ReportedOriginalDto, description: 'When ready.' })
  @ValidateIf((report: PhotoReportDto) => report.status === 'ready')
  @ValidateNested()
  @Type(() => ReportedOriginalDto)
  original?: ReportedOriginalDto;

  @ApiPropertyOptional({ type: [ReportedRenditionDto], description: 'When ready.' })
  @ValidateIf((report: PhotoReportDto) => report.status === 'ready')
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => ReportedRenditionDto)
  renditions?: ReportedRenditionDto[];

  @ApiPropertyOptional({ example: 'image data is truncated or corrupt', description: 'When failed.' })
  @ValidateIf((report: PhotoReportDto) => report.status === 'failed')
  @IsString()
  @Length(1, 500)
  reason?: string;
}

export class PhotoReportAckDto {
  @ApiProperty({ format: 'uuid' })
  photoId: string;

  @ApiProperty({ enum: ['pending_upload', 'processing', 'ready', 'failed'], nullable: true, type: String })
  status: string | null;

  @ApiProperty({ description: 'Whether this report changed the photo.' })
  changed: boolean;

  @ApiProperty({ description: 'False when the photo is unknown, deleted or already finished: the Lambda stops.' })
  proceed: boolean;
}
