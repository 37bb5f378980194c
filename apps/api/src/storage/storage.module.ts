import { Global, Module } from '@nestjs/common';
import type { S3Client } from '@aws-sdk/client-s3';
import type { AppConfig } from '#config';
import { createS3Client } from '#storage';
import { APP_CONFIG } from '../app-config.provider.js';

export const S3 = Symbol('S3Client');

/** One shared S3 client for the API process. */
@Global()
@Module({
  providers: [
    {
      provide: S3,
      inject: [APP_CONFIG],
      useFactory: (config: AppConfig): S3Client => createS3Client(config.s3),
    },
  ],
  exports: [S3],
})
export class StorageModule {}
