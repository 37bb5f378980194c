import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';
import { RequestMethod } from '@nestjs/common';
import type { Params } from 'nestjs-pino';
import type { AppConfig } from '#config';

const REQUEST_ID = /^[A-Za-z0-9._-]{1,100}$/;

/** Keeps a caller's well-formed X-Request-Id, otherwise mints one; Fastify and pino share it. */
export function requestId(req: IncomingMessage): string {
  const incoming = req.headers['x-request-id'];
  return typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
}

/** Structured JSON logs with a request id on every line; credentials and signed URLs never logged. */
export function loggerParams(config: Pick<AppConfig, 'logLevel'>): Params {
  return {
    forRoutes: [{ path: '*path', method: RequestMethod.ALL }],
    assignResponse: true,
    pinoHttp: {
      level: config.logLevel,
      customAttributeKeys: { reqId: 'requestId' },
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({ id: req.id, method: req.method, path: req.url.split('?')[0] }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      redact: { paths: ['req.headers.authorization', 'req.headers["x-revela-signature"]', 'apiKey', 'key', 'url'], censor: '[redacted]' },
      autoLogging: { ignore: (req: IncomingMessage) => req.url === '/health' },
    },
  };
}
