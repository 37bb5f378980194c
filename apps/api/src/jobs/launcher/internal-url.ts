import type { AddressInfo } from 'node:net';
import { Injectable } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type AppConfig, InjectConfig } from '#config';

/** Where workers reach the API: INTERNAL_API_URL, or else the loopback address of the internal (or only) listener. */
@Injectable()
export class InternalUrl {
  constructor(
    private readonly adapterHost: HttpAdapterHost,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  resolve(): string {
    if (this.config.internalApiUrl) return this.config.internalApiUrl;
    if (this.config.internalPort) return `http://127.0.0.1:${this.config.internalPort}`;
    const server = this.adapterHost.httpAdapter.getHttpServer() as { address(): AddressInfo | string | null };
    const address = server.address();
    if (!address || typeof address === 'string')
      throw new Error('the API is not listening yet, so workers cannot reach it; set INTERNAL_API_URL');
    return `http://127.0.0.1:${address.port}`;
  }
}
