import { type CanActivate, createParamDecorator, type ExecutionContext, Injectable } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { asSystem } from '#database';
import { problems } from '../../common/problem.js';
import { hashWorkerToken, isWorkerTokenShape } from './worker-token.js';
import { WorkersRepository } from './workers.repository.js';

interface WorkerRequest {
  workerId?: string;
}

/**
 * The worker endpoints take only a worker's own token: issued at launch, tied to that worker id,
 * expiring, and revoked when the worker stops. Tenant keys and the admin token are refused.
 */
@Injectable()
export class WorkerAuthGuard implements CanActivate {
  constructor(private readonly workers: WorkersRepository) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<FastifyRequest & WorkerRequest>();
    const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
    const token = match?.[1];
    if (!token || !isWorkerTokenShape(token)) throw problems.unauthorized('A worker token is required.');
    const worker = await asSystem('worker token lookup', () => this.workers.findByToken(hashWorkerToken(token)));
    if (!worker) throw problems.unauthorized('The worker token is unknown, expired or revoked.');
    request.workerId = worker.id;
    const reply = context.switchToHttp().getResponse<FastifyReply>();
    reply.log = reply.log.child({ workerId: worker.id });
    return true;
  }
}

/** The id of the worker the WorkerAuthGuard authenticated. */
export const CurrentWorker = createParamDecorator((_data: unknown, context: ExecutionContext): string => {
  const id = context.switchToHttp().getRequest<WorkerRequest>().workerId;
  if (!id) throw new Error('CurrentWorker used on a route without the WorkerAuthGuard');
  return id;
});
