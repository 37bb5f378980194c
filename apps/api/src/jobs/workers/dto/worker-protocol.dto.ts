import { Type } from 'class-transformer';
import { ArrayMaxSize, IsArray, IsBoolean, IsInt, IsObject, IsOptional, IsString, Length, Max, Min, ValidateNested } from 'class-validator';
import type {
  ArchivePartRequest,
  CompleteArchiveRequest,
  CompleteFileRequest,
  FailFileRequest,
  HeartbeatRequest,
  OutputReport,
  StoppedRequest,
} from '#worker-protocol';

export class HeartbeatDto implements HeartbeatRequest {
  @IsOptional()
  @IsInt()
  @Min(1)
  pid?: number;
}

export class StoppedDto implements StoppedRequest {
  @IsString()
  @Length(1, 200)
  reason: string;
}

export class OutputReportDto implements OutputReport {
  @IsString()
  @Length(1, 40)
  variant: string;

  @IsInt()
  @Min(1)
  width: number;

  @IsInt()
  @Min(1)
  height: number;

  @IsInt()
  @Min(1)
  bytes: number;
}

export class CompleteFileDto implements CompleteFileRequest {
  @IsArray()
  @ArrayMaxSize(20)
  @ValidateNested({ each: true })
  @Type(() => OutputReportDto)
  outputs: OutputReportDto[];

  @IsString()
  @Length(1, 40)
  source: string;

  @IsObject()
  timings: Record<string, number>;

  @IsArray()
  @ArrayMaxSize(20)
  @IsString({ each: true })
  warnings: string[];
}

export class FailFileDto implements FailFileRequest {
  @IsString()
  @Length(1, 1000)
  reason: string;

  @IsBoolean()
  permanent: boolean;

  @IsOptional()
  @IsObject()
  timings?: Record<string, number>;
}

export class ArchivePartDto implements ArchivePartRequest {
  @IsInt()
  @Min(1)
  @Max(10_000)
  partNumber: number;

  @IsInt()
  @Min(1)
  bytes: number;
}

export class UploadedPartDto {
  @IsInt()
  @Min(1)
  @Max(10_000)
  partNumber: number;

  @IsString()
  @Length(1, 200)
  etag: string;
}

export class CompleteArchiveDto implements CompleteArchiveRequest {
  @IsArray()
  @ArrayMaxSize(10_000)
  @ValidateNested({ each: true })
  @Type(() => UploadedPartDto)
  parts: UploadedPartDto[];

  @IsInt()
  @Min(0)
  bytes: number;
}
