import { spawn } from 'node:child_process';
import os from 'node:os';
import { ConfigError, loadWorkerConfig } from '#config';
import { closeRawDecoders, defaultSandbox } from '#imaging';
import { WorkerApi } from './api-client.js';
import { createWorkerLogger } from './logger.js';
import { createScratch, removeScratch, sweepStaleScratch } from './scratch.js';
import { resolveWorkerToken } from './token.js';
import { WorkerLoop } from './worker-loop.js';

const HEARTBEAT_MS = 5_000;

async function main(): Promise<void> {
  const config = loadWorkerConfig();
  const logger = createWorkerLogger(config.logLevel, config.workerId);
  const api = new WorkerApi({ baseUrl: config.apiUrl, token: await resolveWorkerToken(config.token) });
  const scratchParent = config.scratchDir ?? os.tmpdir();
  // Folders left by workers that crashed or were killed on this machine.
  const stale = await sweepStaleScratch(scratchParent);
  if (stale.length > 0) logger.info({ removed: stale }, 'removed stale scratch folders');
  const scratchDir = await createScratch(scratchParent, config.workerId);
  try {
    await run(config, api, scratchDir, logger);
  } finally {
    await removeScratch(scratchDir);
  }
}

async function run(
  config: ReturnType<typeof loadWorkerConfig>,
  api: WorkerApi,
  scratchDir: string,
  logger: ReturnType<typeof createWorkerLogger>,
): Promise<void> {
  await api.heartbeat(process.pid);
  const heartbeat = setInterval(() => {
    api.heartbeat(process.pid).catch((err: unknown) => logger.warn({ err }, 'heartbeat failed'));
  }, HEARTBEAT_MS);

  const loop = new WorkerLoop({
    api,
    rawDecoder: config.rawDecoder,
    concurrency: config.concurrency,
    idleShutdownSeconds: config.idleShutdownSeconds,
    scratchDir,
    logger,
  });
  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    process.once(signal, () => {
      logger.info({ signal }, 'stopping: finishing files in flight');
      loop.stop();
    });
  }
  const sandbox = await defaultSandbox();
  logger.info({ concurrency: config.concurrency, decoderSandbox: sandbox.protections }, 'worker started');
  const outcome = await loop.run();

  clearInterval(heartbeat);
  await closeRawDecoders();
  await removeScratch(scratchDir);
  await api.stopped(outcome === 'idle' ? 'idle' : 'signal').catch((err: unknown) => logger.warn({ err }, 'could not report the stop'));
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
