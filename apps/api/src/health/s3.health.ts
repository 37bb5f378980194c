import { HeadBucketCommand, type S3Client } from '@aws-sdk/client-s3';
import { Inject, Injectable } from '@nestjs/common';
import { HealthIndicatorService } from '@nestjs/terminus';
import { type AppConfig, InjectConfig } from '#config';
import { S3_CLIENT } from '#storage';

@Injectable()
export class S3HealthIndicator {
  constructor(
    @Inject(S3_CLIENT) private readonly s3: S3Client,
    @InjectConfig() private readonly config: AppConfig,
    private readonly health: HealthIndicatorService,
  ) {}

  async isHealthy(key: string) {
    const indicator = this.health.check(key);
    const buckets = Object.values(this.config.s3.buckets);
    try {
      await Promise.all(
        buckets.map(async (bucket) => {
          // eslint-disable-next-line @typescript-eslint/no-unsafe-assignment -- AbortSignal.timeout is typed `any` once a dependency's types give globalThis an `onmessage`
          await this.s3.send(new HeadBucketCommand({ Bucket: bucket }), { abortSignal: AbortSignal.timeout(2000) });
        }),
      );
      return indicator.up({ buckets });
    } catch (error) {
      return indicator.down({ message: `bucket check failed: ${(error as Error).name}` });
    }
  }
}
