import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsInt, IsOptional, Max, Min } from 'class-validator';

export class LimitsDto {
  @ApiProperty({ example: 1, description: 'Share of the workers relative to other tenants with work (fair share).' }) weight: number;
  @ApiProperty({ example: 32, description: 'Files this tenant may have in flight at once.' }) maxFilesInFlight: number;
  @ApiProperty({ example: 1_099_511_627_776 }) storageBytes: number;
  @ApiProperty({ example: 1000 }) filesPerJob: number;
  @ApiProperty({ example: 4_294_967_296 }) bytesPerFile: number;
  @ApiProperty({ example: 10, description: 'Jobs queued or processing at once.' }) concurrentJobs: number;
  @ApiProperty({ example: 360_000, description: 'Worker seconds per calendar month (UTC).' }) processingSecondsPerMonth: number;
  @ApiProperty({ example: 30, description: 'Days a finished job’s files are kept.' }) retentionDays: number;
  @ApiPropertyOptional({ type: [String], description: 'The limits set for this tenant; the others are the defaults.' })
  overridden?: string[];
}

/** Each field: a number sets the tenant's own limit, null puts it back to the default, absent leaves it. */
export class UpdateLimitsDto {
  @ApiPropertyOptional({ nullable: true, minimum: 1, maximum: 100 }) @IsOptional() @IsInt() @Min(1) @Max(100) weight?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1) @Max(10_000) maxFilesInFlight?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 0 }) @IsOptional() @IsInt() @Min(0) storageBytes?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1) @Max(100_000) filesPerJob?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1) bytesPerFile?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1) @Max(10_000) concurrentJobs?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 0 }) @IsOptional() @IsInt() @Min(0) processingSecondsPerMonth?: number | null;
  @ApiPropertyOptional({ nullable: true, minimum: 1 }) @IsOptional() @IsInt() @Min(1) @Max(3650) retentionDays?: number | null;
}

export class PeriodDto {
  @ApiProperty({ format: 'date-time' }) start: string;
  @ApiProperty({ format: 'date-time' }) end: string;
}

export class StorageUsageDto {
  @ApiProperty({ description: 'RAW files, outputs and ZIPs still stored, and clinic photos with their renditions.' }) usedBytes: number;
  @ApiProperty() allowanceBytes: number;
}

export class UsedOfDto {
  @ApiProperty() used: number;
  @ApiProperty() allowance: number;
}

export class UsageDto {
  @ApiProperty({ type: PeriodDto, description: 'The calendar month (UTC) the monthly figures cover.' }) period: PeriodDto;
  @ApiProperty({ type: StorageUsageDto }) storage: StorageUsageDto;
  @ApiProperty({ description: 'Studio files that finished (done or failed) this month.' }) filesProcessedThisMonth: number;
  @ApiProperty({ type: UsedOfDto, description: 'Worker seconds of the files that finished this month.' }) workerSecondsThisMonth: UsedOfDto;
  @ApiProperty({ description: 'Clinic photos declared this month.' }) photosThisMonth: number;
  @ApiProperty({ type: UsedOfDto }) concurrentJobs: UsedOfDto;
  @ApiProperty({ type: LimitsDto }) limits: LimitsDto;
}
