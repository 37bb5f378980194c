import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';

const WINDOW_MS = 60_000;
/** Above this many tracked addresses, expired windows are dropped before a new one is added. */
const SWEEP_ABOVE = 10_000;

/**
 * Failed authentications per client address (fixed one-minute windows, per API process). The
 * address is Fastify's `request.ip`: the socket's peer, or the X-Forwarded-For hop that the
 * configured TRUSTED_PROXIES vouch for, so a client cannot pick its own key by forging the header.
 */
@Injectable()
export class AuthFailureLimiter {
  private readonly windows = new Map<string, { startedAt: number; failures: number }>();

  constructor(@InjectConfig() private readonly config: AppConfig) {}

  /** Seconds until the address may try again, or 0 when it may try now. */
  retryAfterSeconds(address: string, now = Date.now()): number {
    const window = this.windows.get(address);
    if (!window || now - window.startedAt >= WINDOW_MS) return 0;
    if (window.failures < this.config.http.authFailuresPerMinute) return 0;
    return Math.max(1, Math.ceil((window.startedAt + WINDOW_MS - now) / 1000));
  }

  recordFailure(address: string, now = Date.now()): void {
    const window = this.windows.get(address);
    if (window && now - window.startedAt < WINDOW_MS) {
      window.failures += 1;
      return;
    }
    if (this.windows.size >= SWEEP_ABOVE) {
      for (const [key, value] of this.windows) if (now - value.startedAt >= WINDOW_MS) this.windows.delete(key);
    }
    this.windows.set(address, { startedAt: now, failures: 1 });
  }
}
