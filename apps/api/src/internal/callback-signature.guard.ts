import { type CanActivate, type ExecutionContext, Injectable, type RawBodyRequest } from '@nestjs/common';
import type { FastifyRequest } from 'fastify';
import { PinoLogger } from 'nestjs-pino';
import { type AppConfig, InjectConfig } from '#config';
import { REPORT_ID_HEADER, SIGNATURE_HEADER, verifyRequest } from '#signing';
import { problems } from '../common/problem.js';
import { ReportReplayStore } from './report-replay.store.js';

/**
 * Internal callbacks carry no API key: they are authenticated by an HMAC over the method, the path
 * (with the photo id), the report id and the exact bytes received (`X-Revela-Signature: t=…,v1=…`),
 * checked here before any pipe parses the body. Each report id is accepted once.
 */
@Injectable()
export class CallbackSignatureGuard implements CanActivate {
  constructor(
    @InjectConfig() private readonly config: AppConfig,
    private readonly logger: PinoLogger,
    private readonly replays: ReportReplayStore,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<RawBodyRequest<FastifyRequest>>();
    const header = single(request.headers[SIGNATURE_HEADER]);
    const reportId = single(request.headers[REPORT_ID_HEADER]);
    const result = verifyRequest(this.config.callbackSigningKey, header, {
      method: request.method,
      path: request.url,
      reportId,
      body: request.rawBody ?? Buffer.alloc(0),
    });
    if (!result.ok) {
      this.logger.warn({ reason: result.reason }, 'internal callback refused');
      throw problems.unauthorized(`The callback signature is not valid: ${result.reason}.`);
    }
    if (!(await this.replays.accept(reportId!))) {
      this.logger.warn({ reportId }, 'replayed internal callback refused');
      throw problems.unauthorized('This report id was already received: a replayed report is refused.');
    }
    return true;
  }
}

function single(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' ? value : undefined;
}
