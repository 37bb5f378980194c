import 'reflect-metadata';
import { SSMClient } from '@aws-sdk/client-ssm';
import { ConfigError, loadConfig, withSsmSecrets } from '#config';
import { createApp } from './app.factory.js';
import { listenInternal } from './internal-listener.js';
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
  // Locally, the uploads bucket's ObjectCreated events invoke the thumbnail Lambda in-process.
  const thumbnails = runtime.embeddedS3
    ? wireThumbnailLambda(runtime.embeddedS3, runtime.config, {
        apiUrl: internalUrl,
        log: (level, message, fields) => process.stderr.write(`${JSON.stringify({ level, source: 'thumbnail-lambda', message, ...fields })}\n`),
      })
    : undefined;
  if (thumbnails) say(`thumbnail Lambda wired to the embedded S3 uploads bucket, reporting to ${internalUrl}`);
  if (config.adminTokenGenerated) say(`ADMIN_TOKEN was not set; generated for this run: ${config.adminToken}`);

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    say(`${signal} received, stopping`);
    await thumbnails?.close();
    internalServer?.close();
    await app.close();
    await runtime.stop();
    process.exit(0);
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
