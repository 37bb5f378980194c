import { Injectable } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import { problems } from '../common/problem.js';
import type { LimitsDto, UpdateLimitsDto, UsageDto } from './dto/quota.dto.js';
import { quotaExceeded } from './quota-problems.js';
import { type TenantLimitOverrides, TenantLimitsRepository } from './tenant-limits.repository.js';

export type EffectiveLimits = { [K in keyof TenantLimitOverrides]: number };

/**
 * Per-tenant allowances: each tenant's own limit, else the configured default. Checked before work
 * is accepted (declaring a file, submitting or retrying a job); measured from the rows that hold
 * the usage, so there is no counter to drift. Checks are not atomic with the write they guard: two
 * requests racing at the edge may both pass, going over by at most one file or one job.
 */
@Injectable()
export class QuotasService {
  constructor(
    private readonly limits: TenantLimitsRepository,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  async effective(tenantId: string): Promise<EffectiveLimits> {
    const own = await this.limits.overrides(tenantId);
    const d = this.config.quotas;
    return {
      weight: own.weight ?? 1,
      maxFilesInFlight: own.maxFilesInFlight ?? this.config.processing.tenantMaxFilesInFlight,
      storageBytes: own.storageBytes ?? d.storageBytes,
      filesPerJob: own.filesPerJob ?? d.filesPerJob,
      bytesPerFile: own.bytesPerFile ?? d.bytesPerFile,
      concurrentJobs: own.concurrentJobs ?? d.concurrentJobs,
      processingSecondsPerMonth: own.processingSecondsPerMonth ?? d.processingSecondsPerMonth,
      retentionDays: own.retentionDays ?? this.config.jobs.retentionDays,
    };
  }

  /** Before a file is declared: its size, the job's file count, the tenant's storage. */
  async checkDeclare(tenantId: string, filesInJob: number, bytes: number): Promise<void> {
    const limits = await this.effective(tenantId);
    if (bytes > limits.bytesPerFile) {
      throw quotaExceeded(
        'bytes-per-file',
        { usage: bytes, allowance: limits.bytesPerFile, requested: bytes },
        `The file is ${bytes} bytes; files may be at most ${limits.bytesPerFile} bytes.`,
      );
    }
    if (filesInJob + 1 > limits.filesPerJob) {
      throw quotaExceeded(
        'files-per-job',
        { usage: filesInJob, allowance: limits.filesPerJob, requested: 1 },
        `The job already holds ${filesInJob} files; a job may hold at most ${limits.filesPerJob}.`,
      );
    }
    const { storageBytes } = await this.limits.usage(tenantId);
    if (storageBytes + bytes > limits.storageBytes) {
      throw quotaExceeded(
        'storage-bytes',
        { usage: storageBytes, allowance: limits.storageBytes, requested: bytes },
        `Storing ${bytes} more bytes would bring storage to ${storageBytes + bytes} bytes; the allowance is ${limits.storageBytes}. Delete finished jobs to free space.`,
      );
    }
  }

  /** Before a job is queued (submit, retry): jobs running at once and this month's processing time. */
  async checkQueue(tenantId: string): Promise<void> {
    const limits = await this.effective(tenantId);
    const usage = await this.limits.usage(tenantId);
    if (usage.workerSecondsThisMonth >= limits.processingSecondsPerMonth) {
      throw quotaExceeded(
        'processing-seconds-per-month',
        { usage: usage.workerSecondsThisMonth, allowance: limits.processingSecondsPerMonth },
        `${usage.workerSecondsThisMonth} s of processing used this month; the allowance is ${limits.processingSecondsPerMonth} s.`,
      );
    }
    if (usage.activeJobs >= limits.concurrentJobs) {
      throw quotaExceeded(
        'concurrent-jobs',
        { usage: usage.activeJobs, allowance: limits.concurrentJobs, requested: 1 },
        `${usage.activeJobs} jobs are queued or processing; at most ${limits.concurrentJobs} may be at once. Submit again when one finishes.`,
      );
    }
  }

  async usage(tenantId: string): Promise<UsageDto> {
    const [limits, usage] = await Promise.all([this.effective(tenantId), this.limits.usage(tenantId)]);
    return {
      period: monthPeriod(),
      storage: { usedBytes: usage.storageBytes, allowanceBytes: limits.storageBytes },
      filesProcessedThisMonth: usage.filesProcessedThisMonth,
      workerSecondsThisMonth: { used: usage.workerSecondsThisMonth, allowance: limits.processingSecondsPerMonth },
      photosThisMonth: usage.photosThisMonth,
      concurrentJobs: { used: usage.activeJobs, allowance: limits.concurrentJobs },
      limits: this.toLimitsDto(limits),
    };
  }

  async getLimits(tenantId: string): Promise<LimitsDto> {
    if (!(await this.limits.tenantExists(tenantId))) throw problems.notFound('Tenant');
    return this.toLimitsDto(await this.effective(tenantId), await this.limits.overrides(tenantId));
  }

  async updateLimits(tenantId: string, input: UpdateLimitsDto): Promise<LimitsDto> {
    if (!(await this.limits.tenantExists(tenantId))) throw problems.notFound('Tenant');
    const changes = Object.fromEntries(Object.entries(input).filter(([, v]) => v !== undefined)) as Partial<TenantLimitOverrides>;
    await this.limits.update(tenantId, changes, this.config.jobs.retentionDays);
    return this.getLimits(tenantId);
  }

  private toLimitsDto(limits: EffectiveLimits, own?: TenantLimitOverrides): LimitsDto {
    return { ...limits, ...(own ? { overridden: Object.entries(own).flatMap(([k, v]) => (v === null ? [] : [k])) } : {}) };
  }
}

function monthPeriod(): { start: string; end: string } {
  const now = new Date();
  return {
    start: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), 1)).toISOString(),
    end: new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth() + 1, 1)).toISOString(),
  };
}
