import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { FastifyServerOptions } from 'fastify';
import type { Params } from 'nestjs-pino';
import type { DestinationStream } from 'pino';
import type { AppConfig } from '#config';
import { safeErrorSerializer } from './log-serializers.js';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;
/** Never logged, wherever they appear in a log object. */
const REDACT = ['req.headers.authorization', 'req.headers["x-revela-signature"]', 'apiKey', 'key', 'url', 'headers.authorization'];

/** Keeps a caller's well-formed X-Request-Id, otherwise mints one; Fastify and pino share it. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/**
 * Request logs come from Fastify's own pino logger: one child per request carrying `requestId`
 * (and the tenant once authenticated). pino-http as Nest middleware did the same at a third of the
 * API's throughput (BENCHMARKS.md).
 */
export function fastifyLoggerOptions(config: Pick<AppConfig, 'logLevel'>, stream?: DestinationStream): FastifyServerOptions['logger'] {
  return {
    level: config.logLevel,
    ...(stream ? { stream } : humanReadableWhenInteractive()),
    redact: { paths: REDACT, censor: '[redacted]' },
    serializers: {
      req: (req: { method: string; url: string }) => ({ method: req.method, path: req.url.split('?')[0] }),
      res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      err: safeErrorSerializer,
    },
  };
}

/** nestjs-pino reuses Fastify's per-request logger, so every Nest log line in a request has its id. */
export function loggerParams(config: Pick<AppConfig, 'logLevel'>, stream?: DestinationStream): Params {
  const options = { level: config.logLevel, redact: { paths: REDACT, censor: '[redacted]' }, serializers: { err: safeErrorSerializer } };
  return {
    useExisting: true,
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    // Logs made outside any request (start-up, workers, timers).
    pinoHttp: stream ? [options, stream] : { ...options, ...humanReadableWhenInteractive() },
  };
}

/** A person at a terminal (`npm run dev`) reads pino-pretty's lines; pipes and files get JSON. */
function humanReadableWhenInteractive(): { transport?: { target: string; options: Record<string, unknown> } } {
  if (!process.stdout.isTTY) return {};
  return { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname' } } };
}
