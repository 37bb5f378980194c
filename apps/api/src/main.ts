import 'reflect-metadata';
import { SSMClient } from '@aws-sdk/client-ssm';
import { DataSource } from 'typeorm';
import { ConfigError, loadConfig, withSsmSecrets } from '#config';
import { createApp } from './app.factory.js';
import { listenInternal } from './internal-listener.js';
import { RequestDrain } from './lifecycle/request-drain.js';
import { startRuntime } from './runtime/embedded-runtime.js';
import { wireThumbnailLambda } from './runtime/thumbnail-wiring.js';

async function main(): Promise<void> {
  const env = await withSsmSecrets(process.env, () => new SSMClient({ region: process.env.S3_REGION ?? process.env.AWS_REGION }));
  const config = loadConfig(env);
  const say = (message: string) => process.stderr.write(`[revela] ${message}\n`);
  const runtime = await startRuntime(config, say);
  const app = await createApp(runtime.config);
  await app.listen({ host: config.host, port: config.port });
  const fastify = app.getHttpAdapter().getInstance();
  const internalServer = config.internalPort ? await listenInternal(fastify, config.host, config.internalPort) : undefined;

  const base = `http://${config.host}:${config.port}`;
  say(`API listening on ${base} (Swagger UI: ${base}/docs)`);
  if (internalServer) say(`internal routes (Lambda reports, batch workers) on port ${config.internalPort} only`);
  const internalUrl = config.internalApiUrl ?? `http://127.0.0.1:${config.internalPort ?? config.port}`;
  // Locally, the uploads bucket's ObjectCreated events invoke the thumbnail Lambda in worker threads of this process.
  const thumbnails = runtime.embeddedS3
    ? wireThumbnailLambda(runtime.embeddedS3, runtime.config, {
        apiUrl: internalUrl,
        placement: runtime.config.localThumbnailPlacement,
        log: (level, message, fields) =>
          process.stderr.write(`${JSON.stringify({ level, source: 'thumbnail-lambda', message, ...fields })}\n`),
      })
    : undefined;
  if (thumbnails) say(`thumbnail Lambda wired to the embedded S3 uploads bucket, reporting to ${internalUrl}`);
  if (config.adminTokenGenerated) say(`ADMIN_TOKEN was not set; generated for this run: ${config.adminToken}`);

  // SIGTERM (deploys, systemd, ECS) and Ctrl-C: stop taking public requests at once, let those in
  // flight finish within SHUTDOWN_TIMEOUT_SECONDS (then cut them; streamed uploads abort their
  // multipart uploads), let local workers finish or release their files, then close the pools.
  const drain = app.get(RequestDrain);
  const database = app.get(DataSource);
  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    drain.close();
    say(`${signal} received: refusing new requests, finishing those in flight (at most ${config.shutdownTimeoutSeconds} s)`);
    // Whatever hangs past every deadline (workers get 30 s, requests the timeout, cleanups 5 s more).
    const hardStop = setTimeout(
      () => {
        say('shutdown did not finish in time; exiting anyway');
        process.exit(1);
      },
      (Math.max(config.shutdownTimeoutSeconds, 30) + 15) * 1000,
    );
    hardStop.unref();
    try {
      await thumbnails?.close(); // running invocations still report through the internal routes
      await app.close(); // drains requests and workers, closes HTTP, then the database pool
      await new Promise<void>((resolve) => (internalServer ? internalServer.close(() => resolve()) : resolve()));
      await runtime.stop();
      say(`stopped cleanly (database pool ${database.isInitialized ? 'still open' : 'closed'})`);
      process.exit(0);
    } catch (error) {
      say(`shutdown failed: ${(error as Error).stack ?? String(error)}`);
      process.exit(1);
    }
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`${error.message}\n`);
  } else {
    process.stderr.write(`Revela failed to start: ${(error as Error).stack ?? String(error)}\n`);
  }
  process.exit(1);
});
