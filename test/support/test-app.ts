import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import request from 'supertest';
import { type AppConfig, loadConfig, type ResolvedConfig } from '#config';
import { type EmbeddedS3Handle, startEmbeddedS3 } from '#storage';
import { createApp } from '../../apps/api/src/app.factory.js';
import { type ThumbnailWiring, wireThumbnailLambda } from '../../apps/api/src/runtime/thumbnail-wiring.js';
import { type S3FaultProxy, startS3FaultProxy } from './s3-fault-proxy.js';
import { createTestDatabase, type TestDatabase } from './test-database.js';

export interface TestApp {
  app: NestFastifyApplication;
  config: ResolvedConfig;
  s3: EmbeddedS3Handle;
  /** With `{ s3Proxy: true }`: the fault-injecting proxy every S3 client and presigned URL goes through. */
  s3Proxy?: S3FaultProxy;
  database: TestDatabase;
  adminToken: string;
  /** Present with `{ thumbnails: true }`: the thumbnail Lambda wired to the S3 server's events. */
  thumbnails?: ThumbnailWiring;
  /** The API's base URL: it listens on an ephemeral loopback port, which workers and the Lambda call. */
  baseUrl: string;
  http(): ReturnType<typeof request>;
  /** Creates a tenant through the API and returns its id and first key. */
  createTenant(kind: 'studio' | 'clinic', name?: string): Promise<{ id: string; key: string }>;
  close(): Promise<void>;
}

export interface TestAppOptions {
  /**
   * Listen on an ephemeral loopback port and wire the thumbnail Lambda's handler to the uploads
   * bucket's events, as main.ts does, so that it reports to the API over real HTTP. `'manual'`
   * wires the handler but delivers no events: the suite invokes `thumbnails.handler` itself.
   */
  thumbnails?: boolean | 'manual';
  /** A database the suite owns (e.g. on a PostgreSQL it stops and starts) instead of a fresh clone. */
  database?: TestDatabase;
  /** Put a fault-injecting proxy between everything and the S3 server (`t.s3Proxy`). */
  s3Proxy?: boolean;
  /** Where the API's JSON log lines go (give LOG_LEVEL in `env` too); by default they are silenced. */
  logStream?: { write(line: string): void };
}

/**
 * Boots the real API against its own fresh PostgreSQL database and a real S3 server (s3rver on a
 * random loopback port), exactly as main.ts wires them.
 */
export async function startTestApp(env: Record<string, string> = {}, options: TestAppOptions = {}): Promise<TestApp> {
  const database = options.database ?? (await createTestDatabase());
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'revela-test-'));
  const base = loadConfig({ RUNTIME: 'embedded' });
  const s3 = await startEmbeddedS3({ dataDir: path.join(dataDir, 's3'), port: 0, buckets: Object.values(base.s3.buckets) });
  const s3Proxy = options.s3Proxy ? await startS3FaultProxy(s3.endpoint) : undefined;
  const s3Endpoint = s3Proxy?.endpoint ?? s3.endpoint;
  // A suite may configure several admin tokens (rotation); the helpers use the first.
  const adminToken = env.ADMIN_TOKEN?.split(',')[0] ?? randomBytes(32).toString('base64url');
  const config = loadConfig({
    RUNTIME: 'embedded',
    DATA_DIR: dataDir,
    LOG_LEVEL: process.env.REVELA_TEST_LOG_LEVEL ?? 'silent',
    DATABASE_URL: database.url,
    S3_ENDPOINT: s3Endpoint,
    ADMIN_TOKEN: adminToken,
    ...env,
  }) as AppConfig & ResolvedConfig;
  const app = await createApp(config, { logStream: options.logStream });
  await app.listen({ host: '127.0.0.1', port: 0 });
  const baseUrl = `http://127.0.0.1:${(app.getHttpServer().address() as AddressInfo).port}`;
  let thumbnails: ThumbnailWiring | undefined;
  if (options.thumbnails) {
    const log = process.env.REVELA_TEST_LOG_LEVEL ? undefined : () => undefined;
    thumbnails = wireThumbnailLambda({ ...s3, endpoint: s3Endpoint }, config, {
      apiUrl: baseUrl,
      log,
      deliverEvents: options.thumbnails === true,
    });
  }
  const http = () => request(app.getHttpServer());
  return {
    app,
    config,
    s3,
    s3Proxy,
    database,
    adminToken,
    thumbnails,
    baseUrl,
    http,
    async createTenant(kind, name = `${kind} ${randomBytes(3).toString('hex')}`) {
      const response = await http().post('/v1/tenants').set('Authorization', `Bearer ${adminToken}`).send({ name, kind });
      if (response.status !== 201) throw new Error(`tenant creation failed: ${response.status} ${response.text}`);
      return { id: response.body.tenant.id as string, key: response.body.apiKey.key as string };
    },
    async close() {
      await thumbnails?.close();
      await app.close();
      await s3Proxy?.close();
      await s3.stop().catch(() => undefined);
      await database.drop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
