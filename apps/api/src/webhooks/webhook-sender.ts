import { lookup as dnsLookup } from 'node:dns/promises';
import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { isIP } from 'node:net';
import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { refusedAddress, type TargetPolicy, targetUrlProblem } from './target-policy.js';

/** The part of a receiver's answer that is read; the rest is dropped unread. */
export const RESPONSE_BODY_CAP_BYTES = 4096;

export interface ResolvedAddress {
  address: string;
  family: number;
}

/** DNS, behind a class of its own so that a suite can stand in for it (e.g. a rebinding resolver). */
@Injectable()
export class WebhookResolver {
  async lookup(hostname: string): Promise<ResolvedAddress[]> {
    return dnsLookup(hostname, { all: true, verbatim: true });
  }
}

export interface OutgoingWebhook {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface AttemptResult {
  outcome: 'succeeded' | 'failed' | 'refused';
  responseStatus: number | null;
  latencyMs: number;
  error: string | null;
}

/**
 * Sends one signed webhook. The target's address is resolved and checked at every attempt, and the
 * connection goes to exactly the address that was checked (no second lookup for DNS rebinding to
 * exploit). Redirects are not followed, the whole exchange has a deadline, and only the first few
 * KiB of the answer are read.
 */
@Injectable()
export class WebhookSender {
  constructor(
    private readonly resolver: WebhookResolver,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  private get policy(): TargetPolicy {
    return { httpsOnly: this.config.webhooks.httpsOnly, allowLoopback: this.config.webhooks.allowLoopback };
  }

  async send(webhook: OutgoingWebhook): Promise<AttemptResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    const refuse = (error: string): AttemptResult => ({ outcome: 'refused', responseStatus: null, latencyMs: elapsed(), error });
    const fail = (error: string, responseStatus: number | null = null): AttemptResult => ({
      outcome: 'failed',
      responseStatus,
      latencyMs: elapsed(),
      error,
    });

    const urlProblem = targetUrlProblem(webhook.url, this.policy);
    if (urlProblem) return refuse(urlProblem);
    const url = new URL(webhook.url);
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    try {
      addresses = isIP(host) ? [{ address: host, family: isIP(host) }] : await this.resolver.lookup(host);
    } catch (error) {
      return fail(`could not resolve ${host}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (addresses.length === 0) return fail(`could not resolve ${host}`);
    for (const { address } of addresses) {
      const refused = refusedAddress(address, this.policy);
      if (refused) return refuse(`refused: ${host} resolves to ${address}, ${refused}`);
    }
    try {
      const status = await this.post(url, addresses[0], webhook);
      if (status >= 200 && status < 300) return { outcome: 'succeeded', responseStatus: status, latencyMs: elapsed(), error: null };
      if (status >= 300 && status < 400) return fail(`answered a redirect (${status}); redirects are not followed`, status);
      return fail(`answered ${status}`, status);
    } catch (error) {
      return fail((error as Error).message);
    }
  }

  private post(url: URL, pinned: ResolvedAddress, webhook: OutgoingWebhook): Promise<number> {
    const lookup: LookupFunction = (_hostname, options, callback) => {
      if ((options as { all?: boolean }).all) (callback as unknown as (err: null, addresses: ResolvedAddress[]) => void)(null, [pinned]);
      else callback(null, pinned.address, pinned.family);
    };
    const transport = url.protocol === 'https:' ? https : http;
    const timeoutMs = this.config.webhooks.timeoutMs;
    return new Promise<number>((resolve, reject) => {
      const request = transport.request(url, {
        method: 'POST',
        agent: false,
        lookup,
        headers: {
          ...webhook.headers,
          'content-type': 'application/json',
          'content-length': Buffer.byteLength(webhook.body),
          'user-agent': 'Revela-Webhooks/1',
        },
      });
      const deadline = setTimeout(() => request.destroy(new Error(`no answer within ${timeoutMs / 1000} s`)), timeoutMs);
      request.on('error', (error) => {
        clearTimeout(deadline);
        reject(error);
      });
      request.on('response', (response) => {
        let read = 0;
        const done = () => {
          clearTimeout(deadline);
          resolve(response.statusCode ?? 0);
        };
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read >= RESPONSE_BODY_CAP_BYTES) {
            response.destroy();
            done();
          }
        });
        response.on('end', done);
        response.on('close', done);
        response.on('error', done);
      });
      request.end(webhook.body);
    });
  }
}
