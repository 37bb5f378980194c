import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException, HttpStatus, Logger } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { type AppConfig, InjectConfig } from '#config';
import { IdempotentReplay } from './idempotency.interceptor.js';
import { PROBLEM_CONTENT_TYPE, ProblemException, problems } from './problem.js';
import { toProblem } from './problem-mapping.js';

/** Renders every error as RFC 9457 problem+json; stacks and SQL stay in the logs. */
@Catch()
export class ProblemDetailsFilter implements ExceptionFilter {
  private readonly logger = new Logger('Errors');

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    // Not an error: an Idempotency-Key replay short-circuits the handler, whatever its kind.
    if (error instanceof IdempotentReplay) return error.send(http.getResponse<FastifyReply>());
    const request = http.getRequest<FastifyRequest>();
    const reply = http.getResponse<FastifyReply>();
    if (isBodyLimit(error)) {
      // Fastify's body limit: name the limit, and keep reading what the client is still sending
      // (fetch streams the body and reads the answer only once it has sent it), so the 413 is
      // read instead of a connection reset. The drain is bounded; past it the socket is cut.
      sendProblem(
        request,
        reply,
        problems.payloadTooLarge(
          `The JSON body is larger than the limit of ${this.config.bodyLimitBytes} bytes (BODY_LIMIT_BYTES); send files through their upload routes.`,
        ),
        this.logger,
      );
      drainRequest(request, DRAIN_LIMIT_FACTOR * this.config.bodyLimitBytes);
      return;
    }
    sendProblem(request, reply, error, this.logger);
  }
}

/** How much of an oversized body is read and discarded (a multiple of the limit) before the socket is cut. */
const DRAIN_LIMIT_FACTOR = 64;

/** Fastify's own body-limit error, as Nest hands it over (an HttpException with status 413). */
function isBodyLimit(error: unknown): boolean {
  return error instanceof HttpException && !(error instanceof ProblemException) && error.getStatus() === HttpStatus.PAYLOAD_TOO_LARGE;
}

function drainRequest(request: FastifyRequest, maxBytes: number): void {
  const raw = request.raw;
  if (raw.complete) return;
  let read = 0;
  raw.on('data', (chunk: Buffer) => {
    read += chunk.length;
    if (read > maxBytes) raw.socket.destroy();
  });
  raw.resume();
}

export function sendProblem(request: FastifyRequest, reply: FastifyReply, error: unknown, logger: Pick<Logger, 'error'>): void {
  const path = request.url.split('?')[0];
  const { document, headers, unexpected } = toProblem(error, path);
  if (unexpected) logger.error({ err: error, path }, 'unhandled error');
  void reply.status(document.status).headers(headers).type(PROBLEM_CONTENT_TYPE).send(JSON.stringify(document));
}
