import { mkdir } from 'node:fs/promises';
import path from 'node:path';
import type { S3Event } from 'aws-lambda';
import S3rver from 's3rver';
import { installDesShim } from './openssl-legacy-shim.js';

export interface EmbeddedS3Handle {
  endpoint: string;
  /** Called with each AWS-shaped S3 event s3rver emits (ObjectCreated:Put|Post|Copy, ObjectRemoved). */
  onEvent(listener: (event: S3Event) => void): void;
  stop(): Promise<void>;
}

export interface EmbeddedS3Options {
  dataDir: string;
  /** 0 picks a free port. */
  port: number;
  buckets: string[];
}

/**
 * Lets the web console (served by the API on another port) PUT to presigned URLs and read the ETag
 * of each multipart part, as the production buckets' CORS rules do for the console's origin (infra).
 */
const BROWSER_CORS = `<CORSConfiguration><CORSRule><AllowedOrigin>*</AllowedOrigin><AllowedMethod>PUT</AllowedMethod><AllowedMethod>GET</AllowedMethod><AllowedMethod>HEAD</AllowedMethod><AllowedHeader>*</AllowedHeader><ExposeHeader>ETag</ExposeHeader><MaxAgeSeconds>3000</MaxAgeSeconds></CORSRule></CORSConfiguration>`;

/** Runs s3rver in-process on loopback, with the given buckets created. */
export async function startEmbeddedS3(options: EmbeddedS3Options): Promise<EmbeddedS3Handle> {
  installDesShim();
  const directory = path.resolve(options.dataDir);
  await mkdir(directory, { recursive: true });
  const server = new S3rver({
    address: '127.0.0.1',
    port: options.port,
    directory,
    silent: true,
    configureBuckets: options.buckets.map((name) => ({ name, configs: [BROWSER_CORS] })),
  });
  const address = await server.run();
  return {
    endpoint: `http://127.0.0.1:${address.port}`,
    onEvent: (listener) => server.on('event', listener),
    stop: () => server.close(),
  };
}
