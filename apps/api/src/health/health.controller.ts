import { Controller, Get, Logger, ServiceUnavailableException } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiServiceUnavailableResponse, ApiTags } from '@nestjs/swagger';
import {
  HealthCheck,
  type HealthCheckResult,
  HealthCheckService,
  type HealthIndicatorResult,
  TypeOrmHealthIndicator,
} from '@nestjs/terminus';
import { SkipThrottle } from '@nestjs/throttler';
import { ProblemDocument } from '../common/problem.js';
import { Public } from '../tenants/auth.decorators.js';
import { S3HealthIndicator } from './s3.health.js';

@ApiTags('Health')
@Public()
@SkipThrottle()
@Controller('health')
export class HealthController {
  private readonly logger = new Logger(HealthController.name);

  constructor(
    private readonly health: HealthCheckService,
    private readonly database: TypeOrmHealthIndicator,
    private readonly s3: S3HealthIndicator,
  ) {}

  @Get()
  @ApiOperation({ operationId: 'getLiveness', summary: 'Liveness: the process is up' })
  @ApiOkResponse({ schema: { example: { status: 'ok' } } })
  live() {
    return { status: 'ok' };
  }

  @Get('ready')
  @HealthCheck()
  @ApiOperation({ operationId: 'getReadiness', summary: 'Readiness: database and object storage reachable' })
  @ApiServiceUnavailableResponse({ type: ProblemDocument })
  async ready() {
    try {
      return publicReadiness(await this.check());
    } catch (error) {
      // The details (bucket names, driver messages) go to the logs; the public answer is up/down.
      if (!(error instanceof ServiceUnavailableException)) throw error;
      this.logger.warn({ readiness: error.getResponse() }, 'not ready');
      throw new ServiceUnavailableException(publicReadiness(error.getResponse() as HealthCheckResult));
    }
  }

  private check() {
    return this.health.check([() => this.database.pingCheck('database', { timeout: 2000 }), () => this.s3.isHealthy('storage')]);
  }
}

/** Only `status` of the whole and of each part: nothing about buckets, hosts or errors. */
function publicReadiness(result: HealthCheckResult): HealthCheckResult {
  const statuses = (parts: Partial<HealthIndicatorResult> | undefined) =>
    Object.fromEntries(Object.entries(parts ?? {}).map(([name, part]) => [name, { status: part?.status }])) as HealthIndicatorResult;
  return { status: result.status, info: statuses(result.info), error: statuses(result.error), details: statuses(result.details) };
}
