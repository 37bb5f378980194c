import type { Socket } from 'node:net';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { AppConfig } from '#config';
import { PROBLEM_CONTENT_TYPE } from './common/problem.js';

/** Streamed bodies (never buffered): RAW and photo uploads. They get a longer idle timeout and no overall deadline. */
export function isStreamedUpload(request: FastifyRequest): boolean {
  const type = request.headers['content-type'] ?? '';
  return /^(application\/octet-stream|multipart\/form-data)\b/i.test(type);
}

/**
 * Slow clients cannot hold sockets forever:
 * - every connection is closed after HTTP_IDLE_TIMEOUT_SECONDS without traffic (Fastify's
 *   connectionTimeout, set by createApp), and headers must arrive within the request timeout;
 * - a request's body must be complete within HTTP_REQUEST_TIMEOUT_SECONDS of its headers, or the
 *   client gets 408 problem+json and the connection closes (a trickle that never idles);
 * - streamed uploads have no overall deadline (a large file on a slow line is legitimate) but
 *   their own idle timeout, UPLOAD_IDLE_TIMEOUT_SECONDS; a stalled upload is cut and its multipart
 *   upload aborted by the streaming code.
 */
export function installHttpTimeouts(fastify: FastifyInstance, http: AppConfig['http']): void {
  fastify.server.headersTimeout = http.requestTimeoutMs;
  fastify.addHook('onRequest', (request, reply, done) => {
    const socket = request.raw.socket;
    if (isStreamedUpload(request)) {
      socket.setTimeout(http.uploadIdleTimeoutMs);
      reply.raw.once('close', () => socket.setTimeout(http.idleTimeoutMs));
    } else if (!request.raw.complete) {
      const timer = setTimeout(() => {
        if (!request.raw.complete && !reply.raw.headersSent) answerTimeout(socket, request.url);
      }, http.requestTimeoutMs);
      timer.unref();
      const clear = () => clearTimeout(timer);
      request.raw.once('end', clear);
      reply.raw.once('close', clear);
    }
    done();
  });
}

/** What Node's own request timeout does, with a problem document: answer 408 and close. */
function answerTimeout(socket: Socket, instance: string): void {
  const body = JSON.stringify({
    type: 'https://docs.revela.dev/problems/request-timeout',
    title: 'Request timeout',
    status: 408,
    detail: 'The request was not received in time.',
    instance,
  });
  socket.end(
    `HTTP/1.1 408 Request Timeout\r\nContent-Type: ${PROBLEM_CONTENT_TYPE}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
  socket.destroySoon();
}
