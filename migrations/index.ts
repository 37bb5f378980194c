import { TenantsAndApiKeys1763800000000 } from './1763800000000-tenants-and-api-keys.js';
import { JobsFilesWorkers1763800100000 } from './1763800100000-jobs-files-workers.js';
import { AnimalsAndPhotos1763800200000 } from './1763800200000-animals-and-photos.js';
import { WorkerCredentials1763800300000 } from './1763800300000-worker-credentials.js';
import { WebhooksAndIdempotency1763800400000 } from './1763800400000-webhooks-and-idempotency.js';
import { RowLevelSecurity1764000000000 } from './1764000000000-row-level-security.js';
import { ApiKeyScopes1764000001000 } from './1764000001000-api-key-scopes.js';
import { CallbackReportIds1764000002000 } from './1764000002000-callback-report-ids.js';
import { JobFilesTenantFk1764000003000 } from './1764000003000-job-files-tenant-fk.js';
import { TenantSuspension1764000004000 } from './1764000004000-tenant-suspension.js';
import { FairShare1764100000000 } from './1764100000000-fair-share.js';
import { QuotasAndLifecycle1764100100000 } from './1764100100000-quotas-and-lifecycle.js';
import { FairShareTenantWall1764200000000 } from './1764200000000-fair-share-tenant-wall.js';
import { TenantDeletion1764300000000 } from './1764300000000-tenant-deletion.js';
import { AuditEvents1764300100000 } from './1764300100000-audit-events.js';

/** Every migration, oldest first. New migrations are appended here. */
export const migrations = [
  TenantsAndApiKeys1763800000000,
  JobsFilesWorkers1763800100000,
  AnimalsAndPhotos1763800200000,
  WorkerCredentials1763800300000,
  WebhooksAndIdempotency1763800400000,
  RowLevelSecurity1764000000000,
  ApiKeyScopes1764000001000,
  CallbackReportIds1764000002000,
  JobFilesTenantFk1764000003000,
  TenantSuspension1764000004000,
  FairShare1764100000000,
  QuotasAndLifecycle1764100100000,
  FairShareTenantWall1764200000000,
  TenantDeletion1764300000000,
  AuditEvents1764300100000,
];
