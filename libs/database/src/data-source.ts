import { DataSource, type DataSourceOptions } from 'typeorm';
import { migrations } from '../../../migrations/index.js';
import { API_DATABASE_ROLE, installDbScopes } from './db-scope.js';
import { entities } from './entities/index.js';

export interface DataSourceRole {
  /**
   * The role every connection assumes at login (`-c role=…`), whatever the login role: the API's
   * connections run as `revela_app`, which owns nothing and is subject to row-level security.
   * Migrations pass none and run as the login role (the owner).
   */
  role?: string;
}

export function dataSourceOptions(url: string, { role }: DataSourceRole = {}): DataSourceOptions {
  return {
    type: 'postgres',
    url,
    entities,
    migrations,
    synchronize: false,
    migrationsRun: false,
    extra: { max: 20, application_name: 'revela', ...(role ? { options: `-c role=${role}` } : {}) },
  };
}

/** The API's options: connections as the RLS-bound role. Pair with {@link createScopedDataSource}. */
export function apiDataSourceOptions(url: string): DataSourceOptions {
  return dataSourceOptions(url, { role: API_DATABASE_ROLE });
}

/** A data source whose queries honour withTenant/asSystem (see db-scope.ts); not yet initialised. */
export function createScopedDataSource(options: DataSourceOptions): DataSource {
  const dataSource = new DataSource(options);
  installDbScopes(dataSource);
  return dataSource;
}

/** Applies pending migrations (as the owner role); used at start and to prepare test templates. */
export async function runMigrations(url: string): Promise<void> {
  const dataSource = new DataSource(dataSourceOptions(url));
  await dataSource.initialize();
  try {
    await dataSource.runMigrations({ transaction: 'each' });
  } finally {
    await dataSource.destroy();
  }
}
