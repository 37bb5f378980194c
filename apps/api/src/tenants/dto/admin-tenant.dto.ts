import { ApiProperty } from '@nestjs/swagger';
import { TenantDto } from './tenant.dto.js';

/** What a tenant holds, for the platform admin. */
export class TenantUsageDto {
  @ApiProperty({ example: 2, description: 'API keys not revoked (expired ones included).' })
  activeApiKeys: number;

  @ApiProperty({ example: 120 })
  animals: number;

  @ApiProperty({ example: 340 })
  photos: number;

  @ApiProperty({ example: 12 })
  jobs: number;

  @ApiProperty({ example: 1800 })
  jobFiles: number;
}

export class AdminTenantDto extends TenantDto {
  @ApiProperty({
    enum: ['active', 'suspended', 'deleting'],
    example: 'active',
    description: '`deleting`: a deletion was started and has not finished; `DELETE /v1/tenants/{id}` again finishes it.',
  })
  status: 'active' | 'suspended' | 'deleting';

  @ApiProperty({ type: TenantUsageDto })
  usage: TenantUsageDto;
}

export class AdminTenantPageDto {
  @ApiProperty({ type: [AdminTenantDto] })
  items: AdminTenantDto[];

  @ApiProperty({ type: String, nullable: true, description: 'Pass as `cursor` for the next page; null on the last page.' })
  nextCursor: string | null;
}
