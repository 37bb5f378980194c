import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ArrayNotEmpty, ArrayUnique, IsArray, IsIn, IsISO8601, IsOptional, IsString, Length } from 'class-validator';
import { API_KEY_SCOPES, type ApiKeyScope, TENANT_KINDS, type TenantKind } from '#database';
import { SingleLine } from '../../common/text-rules.js';

const SCOPES_DOC =
  "`read`: GET requests; `write`: every other request on the tenant's resources; `keys`: create, list and revoke API keys.";

export class CreateTenantDto {
  @ApiProperty({ example: 'Happy Paws Veterinary', minLength: 1, maxLength: 200 })
  @IsString()
  @Length(1, 200)
  @SingleLine()
  name: string;

  @ApiProperty({ enum: TENANT_KINDS, example: 'clinic' })
  @IsIn(TENANT_KINDS)
  kind: TenantKind;
}

export class CreateApiKeyDto {
  @ApiProperty({ example: 'ci-uploader', minLength: 1, maxLength: 100 })
  @IsString()
  @Length(1, 100)
  @SingleLine()
  name: string;

  @ApiPropertyOptional({ enum: API_KEY_SCOPES, isArray: true, example: ['read'], default: ['read', 'write'], description: SCOPES_DOC })
  @IsOptional()
  @IsArray()
  @ArrayNotEmpty()
  @ArrayUnique()
  @IsIn(API_KEY_SCOPES, { each: true, message: `each scope must be one of: ${API_KEY_SCOPES.join(', ')}` })
  scopes?: ApiKeyScope[];

  @ApiPropertyOptional({
    format: 'date-time',
    example: '2027-01-01T00:00:00Z',
    description: 'The key answers 401 from this instant on; omit for a key that does not expire.',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;
}

export class TenantDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'Happy Paws Veterinary' })
  name: string;

  @ApiProperty({ enum: TENANT_KINDS })
  kind: TenantKind;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;
}

export class ApiKeyDto {
  @ApiProperty({ format: 'uuid' })
  id: string;

  @ApiProperty({ example: 'ci-uploader' })
  name: string;

  @ApiProperty({ example: 'rvl_3f9a1c0b7d2e4a61', description: 'Non-secret lookup prefix of the key.' })
  prefix: string;

  @ApiProperty({ format: 'date-time' })
  createdAt: string;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  lastUsedAt: string | null;

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  revokedAt: string | null;

  @ApiProperty({ enum: API_KEY_SCOPES, isArray: true, description: SCOPES_DOC })
  scopes: ApiKeyScope[];

  @ApiPropertyOptional({ format: 'date-time', nullable: true, type: String })
  expiresAt: string | null;
}

export class IssuedApiKeyDto extends ApiKeyDto {
  @ApiProperty({
    example: 'rvl_3f9a1c0b7d2e4a61_4fJq8kVxN2c7yQ0mP5sLr9tW3uZb6hDe1aGiKoXnYvE',
    description: 'The secret key. Shown only in this response; store it now.',
  })
  key: string;
}

export class CreatedTenantDto {
  @ApiProperty({ type: TenantDto })
  tenant: TenantDto;

  @ApiProperty({ type: IssuedApiKeyDto })
  apiKey: IssuedApiKeyDto;
}

export class ApiKeyPageDto {
  @ApiProperty({ type: [ApiKeyDto] })
  items: ApiKeyDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
