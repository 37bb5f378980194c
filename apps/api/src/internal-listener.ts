import { createServer, type Server } from 'node:http';
import { once } from 'node:events';
import type { FastifyInstance } from 'fastify';
import { PROBLEM_CONTENT_TYPE } from './common/problem.js';

const INTERNAL_PATH = /^\/internal\//;

/**
 * With INTERNAL_PORT set, the routes for Revela's own functions (the thumbnail Lambda's reports,
 * the batch workers' endpoints) answer only on that port, which the load balancer never forwards
 * to; the public port answers 404 for them, and the internal port serves nothing else. Both ports
 * feed the same Fastify instance.
 */
export function guardInternalRoutes(fastify: FastifyInstance, internalPort: number): void {
  fastify.addHook('onRequest', (request, reply, done) => {
    const internalPath = INTERNAL_PATH.test(request.url);
    const onInternalPort = request.raw.socket.localPort === internalPort;
    if (internalPath === onInternalPort) return done();
    void reply
      .code(404)
      .type(PROBLEM_CONTENT_TYPE)
      .send({ type: 'about:blank', title: 'Not found', status: 404, detail: 'No such route on this listener.' });
  });
}

/** The internal listener: a second HTTP server whose requests go to the API's own Fastify. */
export async function listenInternal(fastify: FastifyInstance, host: string, port: number): Promise<Server> {
  const server = createServer((request, response) => fastify.server.emit('request', request, response));
  server.listen(port, host);
  await once(server, 'listening');
  return server;
}
