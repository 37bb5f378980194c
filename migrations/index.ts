import { TenantsAndApiKeys1763800000000 } from './1763800000000-tenants-and-api-keys.js';

/** Every migration, oldest first. New migrations are appended here. */
export const migrations = [TenantsAndApiKeys1763800000000];
