import {
  type BeforeApplicationShutdown,
  type CallHandler,
  type ExecutionContext,
  Injectable,
  Logger,
  type NestInterceptor,
  type OnModuleDestroy,
} from '@nestjs/common';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { finalize, type Observable } from 'rxjs';
import { type AppConfig, InjectConfig } from '#config';
import { PROBLEM_CONTENT_TYPE } from '../common/problem.js';
import { RETRY_AFTER_SECONDS } from '../common/unavailable.js';

/** Routes Revela's own functions call: batch workers finishing or releasing their files, the Lambda's reports. */
const INTERNAL_PATH = /^\/internal\//;
/** After the deadline cuts a request, how long its handler gets to clean up (abort its multipart upload). */
const CLEANUP_GRACE_MS = 5_000;
const SLOT = Symbol('revela.requestDrain');

interface InFlight {
  request: FastifyRequest;
  /** The response (until it closes) and the route handler (until it settles). */
  holds: number;
}

/**
 * Graceful shutdown of the HTTP side, before the pools close (TypeORM closes its pool in the last
 * shutdown hook, after this one).
 *
 * 1. From the first shutdown hook on, public requests answer 503 problem+json with Retry-After and
 *    `Connection: close`, and readiness fails with them. Internal routes stay open, so that batch
 *    workers can still finish or release their files and Lambda reports still land.
 * 2. Requests already in flight get until SHUTDOWN_TIMEOUT_SECONDS (counted from step 1) to finish.
 * 3. Past the deadline their connections are cut. A streamed upload then fails and aborts its
 *    multipart upload; its handler gets a few more seconds to do so.
 */
@Injectable()
export class RequestDrain implements OnModuleDestroy, BeforeApplicationShutdown {
  private readonly logger = new Logger(RequestDrain.name);
  private readonly inFlight = new Set<InFlight>();
  private readonly timeoutMs: number;
  private closedAt: number | undefined;
  private waiters: Array<() => void> = [];
  private refused = 0;

  constructor(@InjectConfig() config: AppConfig) {
    this.timeoutMs = config.shutdownTimeoutSeconds * 1000;
  }

  /** Tracks every request and refuses public ones once closed; the first onRequest hook. */
  install(fastify: FastifyInstance): void {
    fastify.addHook('onRequest', (request, reply, done) => {
      if (this.closedAt !== undefined && !INTERNAL_PATH.test(request.url)) {
        this.refused += 1;
        void reply
          .code(503)
          .header('Retry-After', String(RETRY_AFTER_SECONDS))
          .header('Connection', 'close')
          .type(PROBLEM_CONTENT_TYPE)
          .send(
            JSON.stringify({
              type: 'https://docs.revela.dev/problems/shutting-down',
              title: 'Service Unavailable',
              status: 503,
              detail: `This API process is shutting down; retry after ${RETRY_AFTER_SECONDS} s.`,
              instance: request.url.split('?')[0],
            }),
          );
        return;
      }
      const entry: InFlight = { request, holds: 1 };
      (request as unknown as Record<symbol, InFlight>)[SLOT] = entry;
      this.inFlight.add(entry);
      reply.raw.once('close', () => this.release(entry));
      done();
    });
  }

  /** Stops taking public requests (idempotent); the deadline counts from the first call. */
  close(): void {
    if (this.closedAt !== undefined) return;
    this.closedAt = Date.now();
    this.logger.log({ inFlight: this.inFlight.size, timeoutSeconds: this.timeoutMs / 1000 }, 'shutting down: refusing new public requests');
  }

  get closed(): boolean {
    return this.closedAt !== undefined;
  }

  onModuleDestroy(): void {
    this.close();
  }

  async beforeApplicationShutdown(): Promise<void> {
    this.close();
    const started = this.inFlight.size;
    await this.settled(this.closedAt! + this.timeoutMs - Date.now());
    const cut = this.inFlight.size;
    if (cut > 0) {
      this.logger.warn({ requests: cut }, 'shutdown deadline passed: cutting the connections of requests still in flight');
      for (const { request } of this.inFlight) request.raw.destroy();
      await this.settled(CLEANUP_GRACE_MS);
    }
    this.logger.log(
      {
        inFlightAtStart: started,
        cut,
        refused: this.refused,
        left: this.inFlight.size,
      },
      'requests drained',
    );
  }

  /** Holds the request until the route handler settles (it may outlive a cut connection). */
  hold(request: FastifyRequest): () => void {
    const entry = (request as unknown as Record<symbol, InFlight | undefined>)[SLOT];
    if (!entry) return () => undefined;
    entry.holds += 1;
    this.inFlight.add(entry);
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.release(entry);
    };
  }

  private release(entry: InFlight): void {
    entry.holds -= 1;
    if (entry.holds > 0) return;
    this.inFlight.delete(entry);
    if (this.inFlight.size === 0) {
      const waiting = this.waiters;
      this.waiters = [];
      for (const resolve of waiting) resolve();
    }
  }

  /** Resolves when nothing is in flight, or after `ms`. */
  private async settled(ms: number): Promise<void> {
    if (this.inFlight.size === 0 || ms <= 0) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      this.waiters.push(() => {
        clearTimeout(timer);
        resolve();
      });
    });
  }
}

/** Lets the drain wait for route handlers, not just responses: a cut upload still aborts its multipart upload. */
@Injectable()
export class RequestDrainInterceptor implements NestInterceptor {
  constructor(private readonly drain: RequestDrain) {}

  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const release = this.drain.hold(context.switchToHttp().getRequest<FastifyRequest>());
    return next.handle().pipe(finalize(release));
  }
}
