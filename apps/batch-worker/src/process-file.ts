import { createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { Readable } from 'node:stream';
import { DeleteObjectsCommand, GetObjectCommand, PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import type { BucketNames, ProcessingConfig } from '#config';
import { type ClaimedFile, type FileOutput, type FileResult, JobQueue } from '#database';
import { developRaw, type ProcessingPreset, RawDecodeError } from '#imaging';
import { keys } from '#storage';
import type { WorkerLogger } from './logger.js';
import type { Semaphore } from './semaphore.js';

export interface FileProcessorDeps {
  queue: JobQueue;
  s3: S3Client;
  buckets: BucketNames;
  processing: ProcessingConfig;
  workerId: string;
  scratchDir: string;
  cpu: Semaphore;
  logger: WorkerLogger;
}

/**
 * One claimed file: stream it to scratch disk, develop it (holding a CPU permit), upload the
 * variants, record the outputs. The lease is renewed throughout; a lost lease discards the result.
 */
export async function processFile(file: ClaimedFile, deps: FileProcessorDeps): Promise<'done' | 'failed' | 'lost'> {
  const log = deps.logger.child({ jobId: file.jobId, fileId: file.id, tenantId: file.tenantId, attempt: file.attempt });
  const renewEvery = Math.max(500, (deps.processing.leaseSeconds * 1000) / 3);
  let leaseHeld = true;
  const renewal = setInterval(() => {
    deps.queue.renew(file.id, deps.workerId).then(
      (held) => {
        if (!held) leaseHeld = false;
      },
      (err: unknown) => log.warn({ err }, 'lease renewal failed'),
    );
  }, renewEvery);
  const dir = await mkdtemp(path.join(deps.scratchDir, 'file-'));
  const timings: Record<string, number> = {};
  const started = performance.now();
  try {
    const localPath = path.join(dir, 'input');
    let t = performance.now();
    await download(deps.s3, deps.buckets.raw, file.objectKey, localPath);
    timings.downloadMs = Math.round(performance.now() - t);

    const developed = await deps.cpu.use(() =>
      developRaw(localPath, file.preset as ProcessingPreset, { decoder: deps.processing.rawDecoder }),
    );
    timings.decodeMs = Math.round(developed.timings.decodeMs);
    timings.renderMs = Math.round(developed.timings.renderMs);

    t = performance.now();
    const outputs: FileOutput[] = await Promise.all(
      developed.variants.map(async (variant) => {
        const key = keys.jobOutput(file.tenantId, file.jobId, file.id, variant.name, variant.extension);
        await deps.s3.send(
          new PutObjectCommand({ Bucket: deps.buckets.processed, Key: key, Body: variant.data, ContentType: variant.contentType }),
        );
        return {
          variant: variant.name,
          key,
          format: variant.format,
          contentType: variant.contentType,
          extension: variant.extension,
          width: variant.width,
          height: variant.height,
          bytes: variant.bytes,
        };
      }),
    );
    timings.uploadMs = Math.round(performance.now() - t);
    timings.totalMs = Math.round(performance.now() - started);

    const result: FileResult = { outputs, source: developed.source, timings, warnings: developed.warnings };
    if (!leaseHeld || !(await deps.queue.complete(file.id, deps.workerId, result))) {
      // Taken over: the successor writes the same keys, so they stay. Canceled: nobody will, so they go.
      const canceled = await deps.queue.isCanceled(file.id);
      if (canceled) await removeOutputs(deps.s3, deps.buckets.processed, outputs);
      log.warn({ canceled }, 'file was canceled or taken over; result discarded');
      return 'lost';
    }
    log.info({ source: developed.source, timings }, 'file done');
    return 'done';
  } catch (error) {
    timings.totalMs = Math.round(performance.now() - started);
    const permanent = error instanceof RawDecodeError;
    const reason = permanent ? error.message : `processing error: ${(error as Error).message}`;
    log.warn({ err: error, permanent }, 'file failed');
    await deps.queue.fail(file.id, deps.workerId, reason, permanent, timings);
    return 'failed';
  } finally {
    clearInterval(renewal);
    await rm(dir, { recursive: true, force: true });
  }
}

async function removeOutputs(s3: S3Client, bucket: string, outputs: FileOutput[]): Promise<void> {
  if (outputs.length === 0) return;
  await s3.send(new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: outputs.map((o) => ({ Key: o.key })), Quiet: true } }));
}

async function download(s3: S3Client, bucket: string, key: string, target: string): Promise<void> {
  const object = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
  if (!object.Body) throw new Error('the uploaded object has no body');
  await pipeline(object.Body as Readable, createWriteStream(target));
}
