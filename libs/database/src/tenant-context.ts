import type { TenantKind } from './entities/tenant.entity.js';

/**
 * The authenticated caller's tenant. Every tenant-owned query takes one, so no repository method
 * can be called without saying whose data it reads.
 */
export interface TenantContext {
  readonly tenantId: string;
  readonly kind: TenantKind;
  readonly apiKeyId: string;
  /** The tenant row as read with the key, in the same query. */
  readonly name: string;
  readonly createdAt: Date;
}
