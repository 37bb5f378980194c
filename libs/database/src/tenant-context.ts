import type { ApiKeyScope } from './entities/api-key.entity.js';
import type { TenantKind } from './entities/tenant.entity.js';

/**
 * The authenticated caller's tenant. Every tenant-owned query takes one, so no repository method
 * can be called without saying whose data it reads.
 */
export interface TenantContext {
  readonly tenantId: string;
  readonly kind: TenantKind;
  readonly apiKeyId: string;
}

/** What authentication knows about the caller: the context plus the tenant row it read with the key. */
export interface AuthenticatedTenant extends TenantContext {
  readonly name: string;
  readonly createdAt: Date;
  /** What the presented key may do. */
  readonly scopes: readonly ApiKeyScope[];
  /** The presented key's non-secret lookup prefix (what the audit log names the actor by). */
  readonly apiKeyPrefix?: string;
  /** Suspended by the platform admin: the key is valid but the tenant may not work. */
  readonly suspended?: boolean;
}
