import { randomUUID } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { paginate, type RevelaClient, RevelaProblem, type Schemas, unwrap } from '#sdk';
import { UsageError } from '../config.js';
import { downloadArchive } from '../jobs/download.js';
import { waitForJob } from '../jobs/wait.js';
import { EXIT, type Output } from '../output.js';
import { jobProgress, transferProgress } from '../progress.js';
import { type LocalFile, scanFolder } from '../upload/scan.js';
import { loadState, StateStore, statePath, type UploadState } from '../upload/state.js';
import { uploadThroughApi, uploadToTarget } from '../upload/transfer.js';

export interface UploadOptions {
  jobName: string;
  preset?: string;
  concurrency: number;
  wait: boolean;
  output?: string;
}

/**
 * `revela upload <folder> --job-name …`: creates the job (or resumes the one this folder's state
 * names), declares and uploads every file not uploaded yet, submits, waits, downloads the ZIP.
 */
export async function uploadCommand(
  client: RevelaClient,
  apiUrl: string,
  folder: string,
  options: UploadOptions,
  out: Output,
): Promise<number> {
  const info = await stat(folder).catch(() => null);
  if (!info?.isDirectory()) throw new UsageError(`${folder} is not a folder.`);
  const files = await scanFolder(folder);
  if (files.length === 0) throw new UsageError(`${folder} holds no files to upload.`);

  const store = await openJob(client, apiUrl, folder, options, out);
  const { state } = store;
  if (!state.submitted) {
    const failures = await uploadAll(client, store, files, options.concurrency, out);
    if (failures.length) {
      for (const { file, message } of failures) process.stderr.write(`revela: ${file.relativePath}: ${message}\n`);
      if (out.json)
        out.result(
          {
            job: { id: state.jobId, name: state.jobName },
            uploadFailures: failures.map((f) => ({ file: f.file.relativePath, error: f.message })),
          },
          '',
        );
      process.stderr.write(`revela: ${failures.length} of ${files.length} files failed to upload; run the same command again to resume.\n`);
      return EXIT.failure;
    }
    await unwrap(client.POST('/v1/jobs/{id}/submit', { params: { path: { id: state.jobId } } }));
    state.submitted = true;
    await store.save();
    out.info(`Submitted job ${state.jobName} (${state.jobId}).`);
  } else {
    out.info(`Job ${state.jobName} (${state.jobId}) was already submitted.`);
  }

  if (!options.wait) {
    const job = await unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id: state.jobId } } }));
    out.result({ job }, `Job ${job.id} ${job.status.replace(/_/g, ' ')}.`);
    return EXIT.ok;
  }
  const bar = jobProgress(out);
  const job = await waitForJob(client, state.jobId, (j) =>
    bar.update(j.status.replace(/_/g, ' '), j.progress, j.fileCounts.done, j.fileCounts.failed, j.fileCounts.total),
  ).finally(() => bar.stop());
  const failed = await failedFiles(client, state.jobId);
  const zip =
    job.status === 'completed' || job.status === 'completed_with_errors'
      ? await downloadArchive(client, state.jobId, options.output ?? folder)
      : null;
  const lines = [
    `Job ${job.name} ${job.status.replace(/_/g, ' ')}: ${job.fileCounts.done} done, ${job.fileCounts.failed} failed.`,
    ...failed.map((f) => `  failed: ${f.filename}: ${f.error ?? 'no reason given'}`),
    zip ? `ZIP: ${zip}` : 'No ZIP (no file succeeded).',
  ];
  out.result({ job, zip, failedFiles: failed.map((f) => ({ id: f.id, filename: f.filename, error: f.error })) }, lines.join('\n'));
  return job.status === 'completed' ? EXIT.ok : job.status === 'completed_with_errors' ? EXIT.partial : EXIT.failure;
}

/** The job to upload into: the one this folder's state file names (same API and job name), or a new one. */
async function openJob(client: RevelaClient, apiUrl: string, folder: string, options: UploadOptions, out: Output): Promise<StateStore> {
  const file = statePath(folder);
  const previous = await loadState(file);
  if (previous && previous.apiUrl === apiUrl && previous.jobName === options.jobName) {
    const job = await unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id: previous.jobId } } })).catch((error: unknown) => {
      if (error instanceof RevelaProblem && error.status === 404) return null;
      throw error;
    });
    if (job) {
      const uploaded = Object.values(previous.files).filter((f) => f.uploaded).length;
      out.info(`Resuming job ${job.name} (${job.id}, ${job.status.replace(/_/g, ' ')}): ${uploaded} files already uploaded.`);
      return new StateStore(file, { ...previous, submitted: previous.submitted || job.status !== 'draft' });
    }
  }
  const preset = options.preset ? await readPreset(options.preset) : undefined;
  const job = await unwrap(
    client.POST('/v1/jobs', { body: { name: options.jobName, preset }, params: { header: { 'Idempotency-Key': randomUUID() } } }),
  );
  out.info(`Created job ${job.name} (${job.id}).`);
  const state: UploadState = { apiUrl, jobName: options.jobName, jobId: job.id, submitted: false, files: {} };
  const store = new StateStore(file, state);
  await store.save();
  return store;
}

async function readPreset(file: string): Promise<Schemas['PresetDto']> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Schemas['PresetDto'];
  } catch (error) {
    throw new UsageError(`Cannot read the preset ${file}: ${(error as Error).message}`);
  }
}

/** Uploads every file not uploaded yet, `concurrency` at a time; answers the failures. */
async function uploadAll(client: RevelaClient, store: StateStore, files: LocalFile[], concurrency: number, out: Output) {
  const { state } = store;
  const isDone = (f: LocalFile) => state.files[f.relativePath]?.uploaded === true;
  for (const f of files) {
    const known = state.files[f.relativePath];
    if (known && known.bytes !== f.bytes)
      throw new UsageError(`${f.relativePath} changed size since it was declared (${known.bytes} → ${f.bytes} bytes); start a new job.`);
  }
  await adoptUnrecordedDeclarations(client, store, files);
  const pending = files.filter((f) => !isDone(f));
  const skipped = files.length - pending.length;
  if (skipped) out.info(`Skipping ${skipped} files already uploaded.`);
  const progress = transferProgress(
    out,
    files.length,
    pending.reduce((sum, f) => sum + f.bytes, 0),
    skipped,
  );
  const failures: Array<{ file: LocalFile; message: string }> = [];
  let next = 0;
  const lane = async () => {
    while (next < pending.length) {
      const file = pending[next++];
      const bar = progress.file(file.filename, file.bytes);
      try {
        await uploadOne(client, store, file, (bytes) => bar.advance(bytes));
        bar.finish('uploaded');
      } catch (error) {
        bar.finish('FAILED');
        failures.push({ file, message: error instanceof RevelaProblem ? (error.detail ?? error.title) : (error as Error).message });
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(concurrency, pending.length)) }, lane));
  progress.stop();
  return failures;
}

/**
 * A run killed between the API declaring a file and the state file recording it leaves a declared
 * file that the state does not know. Adopt each such file (same name and size, each at most once)
 * instead of declaring it again, which would leave the job with a file that is never uploaded.
 */
async function adoptUnrecordedDeclarations(client: RevelaClient, store: StateStore, files: LocalFile[]): Promise<void> {
  const { state } = store;
  const known = new Set(Object.values(state.files).map((f) => f.fileId));
  const unrecorded: Array<Schemas['JobFileDto']> = [];
  for await (const file of paginate((cursor) =>
    client.GET('/v1/jobs/{id}/files', { params: { path: { id: state.jobId }, query: { cursor, limit: 100 } } }),
  )) {
    if (!known.has(file.id) && file.status === 'declared') unrecorded.push(file);
  }
  if (unrecorded.length === 0) return;
  for (const local of files) {
    if (state.files[local.relativePath]) continue;
    const match = unrecorded.findIndex((f) => f.filename === local.filename && f.bytes === local.bytes);
    if (match < 0) continue;
    const [declared] = unrecorded.splice(match, 1);
    state.files[local.relativePath] = { fileId: declared.id, bytes: local.bytes, mtimeMs: local.mtimeMs, uploaded: false };
  }
  await store.save();
}

async function uploadOne(client: RevelaClient, store: StateStore, file: LocalFile, onBytes: (delta: number) => void): Promise<void> {
  const { state } = store;
  const known = state.files[file.relativePath];
  if (known) {
    // Declared by an earlier run that stopped before the upload finished: its presigned target may
    // have expired, so stream it through the API instead.
    await uploadThroughApi(client, state.jobId, known.fileId, file.absolutePath, file.bytes, onBytes);
  } else {
    const declared = await unwrap(
      client.POST('/v1/jobs/{id}/files', {
        params: { path: { id: state.jobId }, header: { 'Idempotency-Key': randomUUID() } },
        body: { filename: file.filename, bytes: file.bytes },
      }),
    );
    state.files[file.relativePath] = { fileId: declared.file.id, bytes: file.bytes, mtimeMs: file.mtimeMs, uploaded: false };
    await store.save();
    await uploadToTarget(client, state.jobId, declared.file.id, declared.upload, file.absolutePath, file.bytes, onBytes);
  }
  state.files[file.relativePath].uploaded = true;
  await store.save();
}

async function failedFiles(client: RevelaClient, jobId: string): Promise<Array<Schemas['JobFileDto']>> {
  const failed = [];
  for await (const file of paginate((cursor) =>
    client.GET('/v1/jobs/{id}/files', { params: { path: { id: jobId }, query: { cursor, limit: 100 } } }),
  )) {
    if (file.status === 'failed') failed.push(file);
  }
  return failed;
}
