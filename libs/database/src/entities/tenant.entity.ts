import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

export const TENANT_KINDS = ['studio', 'clinic'] as const;
export type TenantKind = (typeof TENANT_KINDS)[number];

@Entity({ name: 'tenants' })
export class TenantEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('text')
  name: string;

  @Column('text')
  kind: TenantKind;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
