import { Injectable, Logger } from '@nestjs/common';
import { type AppConfig, InjectConfig } from '#config';
import type { FileOutput } from '#database';
import { type ProcessingPreset, VARIANT_CONTENT, type VariantSpec } from '#imaging';
import { keys } from '#storage';
import type { ClaimedFileMessage, CompleteFileRequest, FailFileRequest, PresignedTarget } from '#worker-protocol';
import { problems } from '../../common/problem.js';
import { JobStorage } from '../job-storage.js';
import { JobQueueRepository, type LeasedFile } from './job-queue.repository.js';

/** The file side of the worker protocol: claims, leases and outcomes, checked against the lease. */
@Injectable()
export class WorkerFilesService {
  private readonly logger = new Logger(WorkerFilesService.name);

  constructor(
    private readonly queue: JobQueueRepository,
    private readonly storage: JobStorage,
    @InjectConfig() private readonly config: AppConfig,
  ) {}

  private get settings() {
    const { leaseSeconds, maxAttempts, tenantMaxFilesInFlight } = this.config.processing;
    return { leaseSeconds, maxAttempts, tenantMaxFilesInFlight };
  }

  /** The next file for `workerId`, with a GET for its RAW and a PUT for each variant, or null. */
  async claim(workerId: string): Promise<ClaimedFileMessage | null> {
    await this.queue.failAbandoned(this.settings.maxAttempts);
    const file = await this.queue.claim(workerId, this.settings);
    if (!file) return null;
    const outputs: Record<string, PresignedTarget> = {};
    for (const variant of variantsOf(file)) {
      const { key, contentType } = outputLocation(file, variant);
      const put = await this.storage.presignOutputPut(file, key, contentType);
      outputs[variant.name] = { url: put.url, headers: put.headers };
    }
    const source = await this.storage.presignRawGet(file, file.objectKey);
    return {
      id: file.id,
      jobId: file.jobId,
      tenantId: file.tenantId,
      filename: file.filename,
      attempt: file.attempt,
      preset: file.preset,
      leaseSeconds: this.settings.leaseSeconds,
      source: { url: source.url, headers: source.headers },
      outputs,
    };
  }

  renew(workerId: string, fileId: string): Promise<boolean> {
    return this.queue.renew(fileId, workerId, this.settings.leaseSeconds);
  }

  /**
   * Records the outputs the worker uploaded; the keys are the API's, never the worker's. False when
   * the worker no longer holds the lease (canceled, or taken over after its lease lapsed).
   */
  async complete(workerId: string, fileId: string, report: CompleteFileRequest): Promise<boolean> {
    const found = await this.queue.describe(fileId);
    if (!found) throw problems.notFound('File');
    const { file } = found;
    const variants = new Map(variantsOf(file).map((v) => [v.name, v]));
    const outputs: FileOutput[] = [];
    for (const output of report.outputs) {
      const variant = variants.get(output.variant);
      if (!variant)
        throw problems.validation([{ field: 'outputs.variant', message: `"${output.variant}" is not a variant of this job's preset` }]);
      const { key, contentType, extension } = outputLocation(file, variant);
      outputs.push({
        variant: variant.name,
        key,
        format: variant.format,
        contentType,
        extension,
        width: output.width,
        height: output.height,
        bytes: output.bytes,
      });
    }
    const result = { outputs, source: report.source, timings: report.timings, warnings: report.warnings };
    if (found.leaseOwner === workerId && (await this.queue.complete(fileId, workerId, result))) return true;
    await this.discardIfCanceled(file, workerId);
    return false;
  }

  async fail(workerId: string, fileId: string, failure: FailFileRequest): Promise<void> {
    await this.queue.fail(fileId, workerId, failure, this.settings.maxAttempts);
  }

  async release(workerId: string, fileId: string): Promise<void> {
    await this.queue.release(fileId, workerId);
  }

  private async discardIfCanceled(file: LeasedFile, workerId: string): Promise<void> {
    const now = await this.queue.describe(file.id);
    if (now?.status !== 'canceled') {
      this.logger.warn({ fileId: file.id, workerId }, 'a worker reported a file it no longer holds; result discarded');
      return;
    }
    // Canceled: nobody will overwrite what it uploaded, so those objects go.
    await this.storage.deleteOutputs(variantsOf(file).map((v) => outputLocation(file, v).key));
    this.logger.log({ fileId: file.id, workerId }, 'file was canceled while processing; its outputs were deleted');
  }
}

function variantsOf(file: LeasedFile): VariantSpec[] {
  return (file.preset as ProcessingPreset).variants;
}

function outputLocation(file: LeasedFile, variant: VariantSpec) {
  const { contentType, extension } = VARIANT_CONTENT[variant.format];
  return { key: keys.jobOutput(file.tenantId, file.jobId, file.id, variant.name, extension), contentType, extension };
}
