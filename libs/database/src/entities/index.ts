import { AnimalEntity, PhotoEntity } from '../clinic/index.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { TenantEntity } from './tenant.entity.js';

export { ApiKeyEntity } from './api-key.entity.js';
export { TenantEntity, TENANT_KINDS, type TenantKind } from './tenant.entity.js';
export * from '../clinic/index.js';

export const entities = [TenantEntity, ApiKeyEntity, AnimalEntity, PhotoEntity];
