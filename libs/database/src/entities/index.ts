import { AnimalEntity } from './animal.entity.js';
import { ApiKeyEntity } from './api-key.entity.js';
import { PhotoEntity } from './photo.entity.js';
import { TenantEntity } from './tenant.entity.js';

export { ApiKeyEntity, API_KEY_SCOPES, type ApiKeyScope } from './api-key.entity.js';
export { TenantEntity, TENANT_KINDS, type TenantKind } from './tenant.entity.js';
export { AnimalEntity, SPECIES, ANIMAL_SEXES, type Species, type AnimalSex } from './animal.entity.js';
export { PhotoEntity, PHOTO_STATUSES, type PhotoStatus, type PhotoUploadMethod, type StoredRendition } from './photo.entity.js';

export const entities = [TenantEntity, ApiKeyEntity, AnimalEntity, PhotoEntity];
