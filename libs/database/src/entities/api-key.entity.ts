import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/**
 * What a key may do: `read` (GET), `write` (every other request on the tenant's resources) and
 * `keys` (create, list and revoke API keys). A tenant's first key has all three.
 */
export const API_KEY_SCOPES = ['read', 'write', 'keys'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

@Entity({ name: 'api_keys' })
export class ApiKeyEntity {
  @PrimaryColumn('uuid')
  id: string;

  @Column('uuid', { name: 'tenant_id' })
  tenantId: string;

  @Column('text')
  name: string;

  /** Public, non-secret part of the key used to find its row. */
  @Column('text', { unique: true })
  prefix: string;

  /** SHA-256 of the whole key; the key itself is never stored. */
  @Column('bytea', { name: 'secret_hash' })
  secretHash: Buffer;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @Column('timestamptz', { name: 'revoked_at', nullable: true })
  revokedAt: Date | null;

  @Column('text', { array: true })
  scopes: ApiKeyScope[];

  /** After this instant the key answers 401; null: it does not expire. */
  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;
}
