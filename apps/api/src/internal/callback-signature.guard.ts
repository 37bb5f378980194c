import { type CanActivate, type ExecutionContext, Injectable, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { type AppConfig, InjectConfig } from '#config';
import { SIGNATURE_HEADER, verifySignature } from '#signing';
import { problems } from '../common/problem.js';

/**
 * Internal callbacks carry no API key: they are authenticated by an HMAC of the exact bytes
 * received (`X-Revela-Signature: t=…,v1=…`), checked here before any pipe parses the body.
 */
@Injectable()
export class CallbackSignatureGuard implements CanActivate {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly logger: PinoLogger,
  ) {}

  canActivate(context: ExecutionContext): boolean {
    const request = context.switchToHttp().getRequest<RawBodyRequest<FastifyRequest>>();
    const header = request.headers[SIGNATURE_HEADER];
    const result = verifySignature(this.config.callbackSigningKey, typeof header === 'string' ? header : undefined, request.rawBody ?? Buffer.alloc(0));
    if (!result.ok) {
      this.logger.warn({ reason: result.reason }, 'internal callback refused');
      throw problems.unauthorized(`The callback signature is not valid: ${result.reason}.`);
    }
    return true;
  }
}
