import path from 'node:path';
import type { AppConfig, ResolvedConfig } from '#config';
import { runMigrations, startEmbeddedPostgres } from '#database';
import { type EmbeddedS3Handle, startEmbeddedS3 } from '#storage';

export interface Runtime {
  config: ResolvedConfig;
  /** Present when the S3 server runs in this process. */
  embeddedS3?: EmbeddedS3Handle;
  stop(): Promise<void>;
}

/**
 * Fills in whatever infrastructure the configuration leaves out: PostgreSQL when DATABASE_URL is
 * unset, an S3 server when S3_ENDPOINT is unset (embedded runtime only), then migrates the schema.
 */
export async function startRuntime(config: AppConfig, log: (message: string) => void): Promise<Runtime> {
  const stops: Array<() => Promise<void>> = [];
  const stop = async () => {
    for (const fn of stops.reverse()) await fn().catch(() => undefined);
  };
  try {
    let databaseUrl = config.database.url;
    if (!databaseUrl) {
      log(`starting embedded PostgreSQL on 127.0.0.1:${config.database.embeddedPort}`);
      // main.ts stops it itself, last, once requests have drained and the pool is closed.
      const pg = await startEmbeddedPostgres({
        dataDir: path.join(config.dataDir, 'postgres'),
        port: config.database.embeddedPort,
        stopOnSignals: false,
      });
      stops.push(() => pg.stop());
      databaseUrl = pg.url;
    }
    let s3 = config.s3;
    let embeddedS3: EmbeddedS3Handle | undefined;
    if (!s3.endpoint && config.runtime === 'embedded') {
      embeddedS3 = await startEmbeddedS3({
        dataDir: path.join(config.dataDir, 's3'),
        port: s3.embeddedPort,
        buckets: [s3.buckets.uploads, s3.buckets.raw, s3.buckets.processed],
      });
      stops.push(() => embeddedS3!.stop());
      s3 = { ...s3, endpoint: embeddedS3.endpoint, forcePathStyle: true };
      log(`embedded S3 server at ${embeddedS3.endpoint}`);
    }
    // Migrations run as the owner (DATABASE_MIGRATION_URL); the API's own pool runs as revela_app.
    await runMigrations(config.database.migrationUrl ?? databaseUrl);
    return { config: { ...config, database: { ...config.database, url: databaseUrl }, s3 }, embeddedS3, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
