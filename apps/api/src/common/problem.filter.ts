import { type ArgumentsHost, Catch, type ExceptionFilter, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { IdempotentReplay } from './idempotency.interceptor.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { toProblem } from './problem-mapping.js';

/** Renders every error as RFC 9457 problem+json; stacks and SQL stay in the logs. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    // Not an error: an Idempotency-Key replay short-circuits the handler, whatever its kind.
    if (error instanceof IdempotentReplay) return error.send(http.getResponse<FastifyReply>());
    sendProblem(http.getRequest<FastifyRequest>(), http.getResponse<FastifyReply>(), error, this.logger);
  }
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Pick<Logger, 'error'>): void {
  const path = request.url.split('?')[0];
  const { document, headers, unexpected } = toProblem(error, path);
  if (unexpected) logger.error({ err: error, path }, 'unhandled error');
  void reply.status(document.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
}
