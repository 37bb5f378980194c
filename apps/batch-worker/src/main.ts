import { spawn } from 'node:child_process';
import { mkdir } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ConfigError, loadWorkerConfig } from '#config';
import { JobQueue, poolSql, WorkersRegistry } from '#database';
import { closeRawDecoders } from '#imaging';
import { createS3Client } from '#storage';
import { createWorkerLogger } from './logger.js';
import { WorkerLoop } from './worker-loop.js';

const HEARTBEAT_MS = 5_000;

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createWorkerLogger(config.logLevel, config.workerId);
  const pool = new pg.Pool({ connectionString: config.databaseUrl, max: config.processing.concurrency + 3 });
  const sql = poolSql(pool);
  const registry = new WorkersRegistry(sql);
  const scratchDir = config.scratchDir ?? path.join(os.tmpdir(), `revela-worker-${config.workerId}`);
  await mkdir(scratchDir, { recursive: true });

  await registry.heartbeat(config.workerId, process.pid);
  const heartbeat = setInterval(() => {
    registry.heartbeat(config.workerId).catch((err: unknown) => logger.warn({ err }, 'heartbeat failed'));
  }, HEARTBEAT_MS);

  const loop = new WorkerLoop({
    queue: new JobQueue(sql, config.processing),
    s3: createS3Client(config.s3),
    buckets: config.s3.buckets,
    processing: config.processing,
    workerId: config.workerId,
    scratchDir,
    logger,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: finishing files in flight');
      loop.stop();
    });
  }
  logger.info({ concurrency: config.processing.concurrency }, 'worker started');
  const outcome = await loop.run();

  clearInterval(heartbeat);
  await registry.stopped(config.workerId, outcome === 'idle' ? 'idle' : 'signal');
  await closeRawDecoders();
  await pool.end();
  logger.info({ outcome }, 'worker stopped');
  if (config.powerOffOnExit) {
    // On EC2 the instance was launched with InstanceInitiatedShutdownBehavior=terminate.
    spawn('shutdown', ['-h', 'now'], { stdio: 'ignore', detached: true }).unref();
  }
}

main().catch((error: unknown) => {
  process.stderr.write(error instanceof ConfigError ? `${error.message}\n` : `batch worker crashed: ${(error as Error).stack}\n`);
  process.exit(1);
});
