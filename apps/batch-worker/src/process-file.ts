import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import type { ProcessingPreset } from '#imaging';
import { developRaw, RawDecodeError } from '#imaging';
import type { ClaimedFileMessage, OutputReport } from '#worker-protocol';
import type { WorkerApi } from './api-client.js';
import type { WorkerLogger } from './logger.js';
import type { Semaphore } from './semaphore.js';
import { downloadTo, upload } from './transfer.js';

export interface FileProcessorDeps {
  api: WorkerApi;
  rawDecoder: 'auto' | 'native' | 'wasm';
  scratchDir: string;
  cpu: Semaphore;
  logger: WorkerLogger;
  /** Aborted when the worker is asked to stop: a file not yet developing is given back, not developed. */
  stopping?: AbortSignal;
}

/**
 * One claimed file: stream it to scratch disk, develop it (holding a CPU permit), upload the
 * variants to their presigned PUTs, report the outputs. The lease is renewed throughout; the API
 * refuses a result from a worker that lost it. When the worker stops before the file got a CPU
 * permit, the file is released (back to the queue, the attempt not counted); once developing, it
 * is finished.
 */
export async function processFile(file: ClaimedFileMessage, deps: FileProcessorDeps): Promise<'done' | 'failed' | 'lost' | 'released'> {
  const log = deps.logger.child({ jobId: file.jobId, fileId: file.id, tenantId: file.tenantId, attempt: file.attempt });
  const renewEvery = Math.max(500, (file.leaseSeconds * 1000) / 3);
  const renewal = setInterval(() => {
    deps.api.renew(file.id).catch((err: unknown) => log.warn({ err }, 'lease renewal failed'));
  }, renewEvery);
  const dir = await mkdtemp(path.join(deps.scratchDir, 'file-'));
  const timings: Record<string, number> = {};
  const started = performance.now();
  const release = async (): Promise<'released'> => {
    await deps.api.release(file.id).then(
      () => log.info('stopping: file released to the queue without developing it'),
      (err: unknown) => log.warn({ err }, 'stopping: could not release the file; its lease will lapse'),
    );
    return 'released';
  };
  try {
    if (deps.stopping?.aborted) return await release();
    const localPath = path.join(dir, 'input');
    let t = performance.now();
    await downloadTo(file.source, localPath);
    timings.downloadMs = Math.round(performance.now() - t);

    let developed: Awaited<ReturnType<typeof developRaw>>;
    try {
      developed = await deps.cpu.use(
        () => developRaw(localPath, file.preset as ProcessingPreset, { decoder: deps.rawDecoder }),
        deps.stopping,
      );
    } catch (error) {
      if (deps.stopping?.aborted && error === deps.stopping.reason) return await release();
      throw error;
    }
    timings.decodeMs = Math.round(developed.timings.decodeMs);
    timings.renderMs = Math.round(developed.timings.renderMs);

    t = performance.now();
    const outputs: OutputReport[] = await Promise.all(
      developed.variants.map(async (variant) => {
        const target = file.outputs[variant.name];
        if (!target) throw new Error(`the API gave no upload target for variant ${variant.name}`);
        await upload(target, variant.data, `uploading ${variant.name}`);
        return { variant: variant.name, width: variant.width, height: variant.height, bytes: variant.bytes };
      }),
    );
    timings.uploadMs = Math.round(performance.now() - t);
    timings.totalMs = Math.round(performance.now() - started);

    if (!(await deps.api.complete(file.id, { outputs, source: developed.source, timings, warnings: developed.warnings }))) {
      log.warn('file was canceled or taken over; result discarded');
      return 'lost';
    }
    log.info({ source: developed.source, timings }, 'file done');
    return 'done';
  } catch (error) {
    timings.totalMs = Math.round(performance.now() - started);
    const permanent = error instanceof RawDecodeError;
    const reason = permanent ? error.message : `processing error: ${(error as Error).message}`;
    log.warn({ err: error, permanent }, 'file failed');
    await deps.api.fail(file.id, { reason: reason.slice(0, 1000), permanent, timings });
    return 'failed';
  } finally {
    clearInterval(renewal);
    await rm(dir, { recursive: true, force: true });
  }
}
