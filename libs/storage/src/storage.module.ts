import type { S3Client } from '@aws-sdk/client-s3';
import { Global, Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '#config';
import { createS3Client } from './s3-client.js';

export const S3_CLIENT = Symbol('S3Client');

/** One shared S3 client for the process, injected with `@Inject(S3_CLIENT)` into storage adapters. */
@Global()
@Module({
  providers: [{ provide: S3_CLIENT, inject: [APP_CONFIG], useFactory: (config: AppConfig): S3Client => createS3Client(config.s3) }],
  exports: [S3_CLIENT],
})
export class StorageModule {}
