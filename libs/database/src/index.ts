export * from './entities/index.js';
export { apiDataSourceOptions, createScopedDataSource, dataSourceOptions, runMigrations } from './data-source.js';
export { API_DATABASE_ROLE, asSystem, currentDbScope, type DbScope, installDbScopes, withTenant } from './db-scope.js';
export { startEmbeddedPostgres, type EmbeddedPostgresHandle } from './embedded-postgres.js';
export type { AuthenticatedTenant, TenantContext } from './tenant-context.js';
export { cursorParams, decodeCursor, encodeCursor, keysetSql, pageAfter, type Cursor } from './cursor.js';
export * from './jobs/index.js';
export * from './status/index.js';
