import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsOptional, IsString, Length, ValidateNested } from 'class-validator';
import { JOB_STATUSES, type JobStatus } from '#database';
import { PageQueryDto } from '../../common/pagination.js';
import { PresetDto } from './preset.dto.js';
import { SingleLine } from '../../common/text-rules.js';

export class CreateJobDto {
  @ApiProperty({ example: 'Wedding Silva 2026-11-21', minLength: 1, maxLength: 200, description: 'Also the ZIP name.' })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  name: string;

  @ApiPropertyOptional({ type: PresetDto, description: 'Processing preset; omitted fields take the defaults.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PresetDto)
  preset?: PresetDto;
}

export class UpdateJobDto {
  @ApiPropertyOptional({ example: 'Wedding Silva (final)', minLength: 1, maxLength: 200 })
  @IsOptional()
  @IsString()
  @Length(1, 200)
  @SingleLine()
  name?: string;

  @ApiPropertyOptional({ type: PresetDto, description: 'Replaces the preset; omitted fields take the defaults.' })
  @IsOptional()
  @ValidateNested()
  @Type(() => PresetDto)
  preset?: PresetDto;
}

export class JobListQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: JOB_STATUSES })
  @IsOptional()
  @IsIn(JOB_STATUSES)
  status?: JobStatus;
}

export class FileCountsDto {
  @ApiProperty() total: number;
  @ApiProperty() declared: number;
  @ApiProperty() queued: number;
  @ApiProperty() processing: number;
  @ApiProperty() done: number;
  @ApiProperty() failed: number;
  @ApiProperty() canceled: number;
}

export class JobDto {
  @ApiProperty({ format: 'uuid' }) id: string;
  @ApiProperty({ example: 'Wedding Silva 2026-11-21' }) name: string;
  @ApiProperty({ enum: JOB_STATUSES }) status: JobStatus;
  @ApiProperty({ type: PresetDto }) preset: PresetDto;
  @ApiProperty({ type: FileCountsDto }) fileCounts: FileCountsDto;
  @ApiProperty({ example: 40, description: 'Share of files in a terminal state, 0-100.' }) progress: number;
  @ApiProperty({ format: 'date-time' }) createdAt: string;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) queuedAt: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) startedAt: string | null;
  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String }) finishedAt: string | null;
  @ApiProperty({ example: 12.4, description: 'Worker time spent on this job’s files, in seconds.' }) workerSeconds: number;
  @ApiPropertyOptional({
    format: 'date-time',
    nullable: true,
    type: String,
    description:
      'When the job’s RAW files, outputs and ZIP are deleted (the tenant’s retention after it finished); downloads then answer 410.',
  })
  expiresAt: string | null;
}

export class RetryJobResultDto {
  @ApiProperty({ example: 3, description: 'Failed files sent back to the queue.' }) requeued: number;
  @ApiProperty({ type: JobDto }) job: JobDto;
}

export class JobPageDto {
  @ApiProperty({ type: [JobDto] }) items: JobDto[];
  @ApiProperty({ type: String, nullable: true }) nextCursor: string | null;
}
