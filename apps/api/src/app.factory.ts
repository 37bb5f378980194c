import { VersioningType } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import helmet from '@fastify/helmet';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { LogController } from 'fastify';
import { SwaggerModule } from '@nestjs/swagger';
import { Logger } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { ResolvedConfig } from '#config';
import { AppModule } from './app.module.js';
import { createValidationPipe } from './common/validation.js';
import { serveConsole } from './console/console-static.js';
import { installHttpTimeouts } from './http-timeouts.js';
import { guardInternalRoutes } from './internal-listener.js';
import { RequestDrain } from './lifecycle/request-drain.js';
import { fastifyLoggerOptions, requestId } from './logging.js';
import { buildOpenApiDocument } from './openapi.js';

/**
 * The Content-Security-Policy of every response (Swagger UI and the web console included). The
 * console shows thumbnails from, and uploads RAW files straight to, presigned storage URLs: the
 * storage origin is allowed for images and for fetch/XHR, nothing else is.
 */
function securityPolicy(config: ResolvedConfig) {
  const storage = storageOrigins(config);
  return {
    defaultSrc: ["'self'"],
    scriptSrc: ["'self'"],
    styleSrc: ["'self'", "'unsafe-inline'"],
    imgSrc: ["'self'", 'data:', 'blob:', 'validator.swagger.io', ...storage],
    connectSrc: ["'self'", ...storage],
    objectSrc: ["'none'"],
    frameAncestors: ["'none'"],
  };
}

/** Where presigned URLs point: the configured S3 endpoint, or AWS S3 in the region (both URL styles). */
function storageOrigins(config: ResolvedConfig): string[] {
  if (config.s3.endpoint) return [new URL(config.s3.endpoint).origin];
  return [`https://*.s3.${config.s3.region}.amazonaws.com`, `https://s3.${config.s3.region}.amazonaws.com`];
}

/** Paths carry the version (`/v1/…`); the OpenAPI script applies the same. */
export const API_VERSIONING = { type: VersioningType.URI, defaultVersion: undefined } as const;

/** Builds the fully configured API (not listening). main.ts and the test suites share it. */
export async function createApp(config: ResolvedConfig, options: { logStream?: DestinationStream } = {}): Promise<NestFastifyApplication> {
  const adapter = new FastifyAdapter({
    bodyLimit: config.bodyLimitBytes,
    // Only the configured proxies may name the client (X-Forwarded-For); by default nobody can.
    trustProxy: config.http.trustedProxies.length > 0 ? config.http.trustedProxies : false,
    connectionTimeout: config.http.idleTimeoutMs,
    // Shutdown answers are RequestDrain's: public requests get 503 problem+json while the internal
    // routes stay open for workers finishing their files (Nest's own 503 would refuse those too).
    return503OnClosing: false,
    genReqId: requestId,
    logController: new LogController({ requestIdLogLabel: 'requestId' }),
    logger: fastifyLoggerOptions(config, options.logStream),
  });
  // Health probes come every few seconds; their request lines would drown the rest.
  adapter.getInstance().addHook('onRoute', (route) => {
    if (route.url.startsWith('/health')) route.logLevel = 'warn';
  });
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    void reply.header('x-request-id', request.id);
    done();
  });
  // rawBody: the internal callbacks are verified against the exact bytes received (HMAC).
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, options.logStream), adapter, {
    bufferLogs: true,
    rawBody: true,
  });
  app.useLogger(app.get(Logger));
  // Security headers on every answer. The CSP lets Swagger UI work (its bundle and init script are
  // same-origin; it sets inline styles and shows the validator badge) and nothing else in.
  await app.register(helmet, { contentSecurityPolicy: { directives: securityPolicy(config) } });
  app.enableVersioning(API_VERSIONING);
  app.useGlobalPipes(createValidationPipe());
  // No enableShutdownHooks(): main.ts owns the signals and closes the app in order (see RequestDrain).
  app.get(RequestDrain).install(adapter.getInstance());

  if (config.internalPort) guardInternalRoutes(adapter.getInstance(), config.internalPort);
  installHttpTimeouts(adapter.getInstance(), config.http);

  // Raw uploads are streamed, never buffered: the handler receives the request stream as body.
  adapter.getInstance().addContentTypeParser('application/octet-stream', (_request, payload, done) => done(null, payload));

  if (config.http.docsEnabled) setupOpenApi(app);
  serveConsole(app);
  await app.init();
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

function setupOpenApi(app: NestFastifyApplication): void {
  SwaggerModule.setup('docs', app, buildOpenApiDocument(app), { jsonDocumentUrl: 'docs-json' });
}
