import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  IsBoolean,
  IsIn,
  IsInt,
  IsNumber,
  IsOptional,
  IsString,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateBy,
  ValidateNested,
  type ValidationOptions,
} from 'class-validator';

const MAX_LONG_EDGE = 16_384;

function IsLongEdge(options?: ValidationOptions) {
  return ValidateBy(
    {
      name: 'isLongEdge',
      validator: {
        validate: (value: unknown) =>
          value === 'original' || (typeof value === 'number' && Number.isInteger(value) && value >= 16 && value <= MAX_LONG_EDGE),
        defaultMessage: () => `longEdge must be an integer from 16 to ${MAX_LONG_EDGE}, or "original"`,
      },
    },
    options,
  );
}

export class VariantDto {
  @ApiProperty({ example: 'web', pattern: '^[a-z0-9][a-z0-9-]{0,31}$', description: 'Used in output and ZIP entry names.' })
  @IsString()
  @Matches(/^[a-z0-9][a-z0-9-]{0,31}$/, { message: 'name must be 1-32 lowercase letters, digits or dashes' })
  name: string;

  @ApiProperty({
    oneOf: [
      { type: 'integer', minimum: 16, maximum: MAX_LONG_EDGE },
      { type: 'string', enum: ['original'] },
    ],
    example: 2048,
  })
  @IsLongEdge()
  longEdge: number | 'original';

  @ApiProperty({ enum: ['jpeg', 'webp', 'avif'], example: 'jpeg' })
  @IsIn(['jpeg', 'webp', 'avif'])
  format: 'jpeg' | 'webp' | 'avif';

  @ApiProperty({ minimum: 1, maximum: 100, example: 82 })
  @IsInt()
  @Min(1)
  @Max(100)
  quality: number;
}

export class ColourDto {
  @ApiPropertyOptional({ enum: ['camera', 'auto'], default: 'camera' })
  @IsOptional()
  @IsIn(['camera', 'auto'])
  whiteBalance?: 'camera' | 'auto';

  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  autoLevels?: boolean;

  @ApiPropertyOptional({ minimum: -3, maximum: 3, default: 0, description: 'Exposure compensation in EV.' })
  @IsOptional()
  @IsNumber()
  @Min(-3)
  @Max(3)
  exposure?: number;

  @ApiPropertyOptional({ minimum: -1, maximum: 1, default: 0 })
  @IsOptional()
  @IsNumber()
  @Min(-1)
  @Max(1)
  contrast?: number;

  @ApiPropertyOptional({ minimum: -1, maximum: 1, default: 0 })
  @IsOptional()
  @IsNumber()
  @Min(-1)
  @Max(1)
  saturation?: number;
}

export class MetadataDto {
  @ApiPropertyOptional({ default: false })
  @IsOptional()
  @IsBoolean()
  keepExif?: boolean;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  stripGps?: boolean;

  @ApiPropertyOptional({ example: '© 2026 Studio Lumen', maxLength: 200, nullable: true, type: String })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  copyright?: string | null;
}

export class PresetDto {
  @ApiPropertyOptional({ type: [VariantDto], description: 'Defaults: web 2048 JPEG q82, thumb 400 WebP q80, full original JPEG q90.' })
  @IsOptional()
  @ArrayMinSize(1)
  @ArrayMaxSize(8)
  @ValidateNested({ each: true })
  @Type(() => VariantDto)
  variants?: VariantDto[];

  @ApiPropertyOptional({ type: ColourDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ColourDto)
  colour?: ColourDto;

  @ApiPropertyOptional({ default: true })
  @IsOptional()
  @IsBoolean()
  sharpen?: boolean;

  @ApiPropertyOptional({ type: MetadataDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => MetadataDto)
  metadata?: MetadataDto;

  @ApiPropertyOptional({
    enum: ['auto', 'raw', 'embedded-preview'],
    default: 'auto',
    description: '`auto` decodes the RAW and falls back to the embedded preview when the RAW is unreadable.',
  })
  @IsOptional()
  @IsIn(['auto', 'raw', 'embedded-preview'])
  source?: 'auto' | 'raw' | 'embedded-preview';
}
