import { Injectable } from '@nestjs/common';
import { ThrottlerGuard, type ThrottlerRequest } from '@nestjs/throttler';
import type { FastifyReply } from 'fastify';

/**
 * The throttler, answering with the IETF RateLimit header fields
 * (draft-ietf-httpapi-ratelimit-headers): `RateLimit-Policy: "default";q=<quota>;w=<window s>` and
 * `RateLimit: "default";r=<remaining>;t=<seconds to reset>` on every counted response, and
 * `Retry-After` on 429.
 */
@Injectable()
export class RateLimitGuard extends ThrottlerGuard {
  protected override async handleRequest(props: ThrottlerRequest): Promise<boolean> {
    const { context, limit, ttl, throttler, blockDuration, getTracker, generateKey } = props;
    const { req, res } = this.getRequestResponse(context) as { req: Record<string, unknown>; res: FastifyReply };
    const tracker = await getTracker(req, context);
    const name = throttler.name ?? 'default';
    const key = generateKey(context, tracker, name);
    const state = await this.storageService.increment(key, ttl, limit, blockDuration, name);
    const reset = state.isBlocked ? state.timeToBlockExpire : state.timeToExpire;
    void res.header('RateLimit-Policy', `"${name}";q=${limit};w=${Math.ceil(ttl / 1000)}`);
    void res.header('RateLimit', `"${name}";r=${Math.max(0, limit - state.totalHits)};t=${reset}`);
    if (state.isBlocked) {
      void res.header('Retry-After', String(state.timeToBlockExpire));
      await this.throwThrottlingException(context, { limit, ttl, key, tracker, ...state });
    }
    return true;
  }
}
