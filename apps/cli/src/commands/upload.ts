import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { paginate, type RevelaClient, RevelaProblem, type Schemas, unwrap } from '#sdk';
import { UsageError } from '../config.js';
import { downloadArchive } from '../jobs/download.js';
import { waitForJob } from '../jobs/wait.js';
import { EXIT, type Output } from '../output.js';
import { jobProgress, transferProgress } from '../progress.js';
import { type LocalFile, scanInputs } from '../upload/scan.js';
import { loadState, StateStore, statePath, type UploadState } from '../upload/state.js';
import { uploadThroughApi, uploadToTarget } from '../upload/transfer.js';

export interface UploadOptions {
  /** Add to this existing draft job. */
  job?: string;
  /** Create a job with this name (default: the folder's name), unless this folder's state names one. */
  name?: string;
  preset?: string;
  submit?: boolean;
  wait?: boolean;
  download?: string;
  concurrency: number;
}

/**
 * `revela upload <folder|files…>`: uploads every file not uploaded yet into a new job (`--name`) or
 * an existing draft (`--job`), resuming from the state file the last run left; then, as asked,
 * submits (`--submit`), waits for the workers (`--wait`, implies --submit) and saves the ZIP
 * (`--download DIR`, implies --wait).
 */
export async function uploadCommand(
  client: RevelaClient,
  apiUrl: string,
  inputs: string[],
  options: UploadOptions,
  out: Output,
): Promise<number> {
  const wait = Boolean(options.wait || options.download);
  const submit = Boolean(options.submit || wait);
  const { base, files } = await scanInputs(inputs).catch((error: unknown) => {
    throw new UsageError((error as Error).message);
  });
  if (files.length === 0) throw new UsageError(`${inputs.join(', ')}: no files to upload.`);
  if (options.download) await mkdir(options.download, { recursive: true });

  const store = await openJob(client, apiUrl, base, options, out);
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
    if (submit) {
      await unwrap(client.POST('/v1/jobs/{id}/submit', { params: { path: { id: state.jobId } } }));
      state.submitted = true;
      await store.save();
      out.info(`Submitted job ${state.jobName} (${state.jobId}).`);
    }
  } else {
    out.info(`Job ${state.jobName} (${state.jobId}) was already submitted.`);
  }

  if (!wait) {
    const job = await unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id: state.jobId } } }));
    const next = job.status === 'draft' ? ` Add more with --job ${job.id}, or submit with --submit.` : '';
    out.result({ job }, `Job ${job.name} (${job.id}) ${job.status.replace(/_/g, ' ')}: ${job.fileCounts.total} files.${next}`);
    return EXIT.ok;
  }
  const bar = jobProgress(out);
  const job = await waitForJob(client, state.jobId, (j) =>
    bar.update(j.status.replace(/_/g, ' '), j.progress, j.fileCounts.done, j.fileCounts.failed, j.fileCounts.total),
  ).finally(() => bar.stop());
  const failed = await failedFiles(client, state.jobId);
  const finished = job.status === 'completed' || job.status === 'completed_with_errors';
  const zip = finished && options.download ? await downloadArchive(client, state.jobId, options.download) : null;
  const lines = [
    `Job ${job.name} ${job.status.replace(/_/g, ' ')}: ${job.fileCounts.done} done, ${job.fileCounts.failed} failed.`,
    ...failed.map((f) => `  failed: ${f.filename}: ${f.error ?? 'no reason given'}`),
    ...(options.download ? [zip ? `ZIP: ${zip}` : 'No ZIP (no file succeeded).'] : []),
  ];
  out.result({ job, zip, failedFiles: failed.map((f) => ({ id: f.id, filename: f.filename, error: f.error })) }, lines.join('\n'));
  return job.status === 'completed' ? EXIT.ok : job.status === 'completed_with_errors' ? EXIT.partial : EXIT.failure;
}

/**
 * The job to upload into: with `--job`, that draft; otherwise the one this folder's state names (same
 * API, and the same name when `--name` is given), or a new one named `--name` or after the folder.
 */
async function openJob(client: RevelaClient, apiUrl: string, base: string, options: UploadOptions, out: Output): Promise<StateStore> {
  const file = statePath(base);
  const previous = await loadState(file);
  const sameJob =
    previous !== null &&
    previous.apiUrl === apiUrl &&
    (options.job ? previous.jobId === options.job : options.name === undefined || previous.jobName === options.name);
  const getJob = (id: string) =>
    unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id } } })).catch((error: unknown) => {
      if (error instanceof RevelaProblem && error.status === 404 && !options.job) return null;
      throw error;
    });
  if (previous && sameJob) {
    const job = await getJob(previous.jobId);
    // A canceled job takes no more files: --job says so (below); otherwise a new job starts.
    if (job && job.status !== 'canceled') {
      const uploaded = Object.values(previous.files).filter((f) => f.uploaded).length;
      out.info(`Resuming job ${job.name} (${job.id}, ${job.status.replace(/_/g, ' ')}): ${uploaded} files already uploaded.`);
      return new StateStore(file, { ...previous, submitted: previous.submitted || job.status !== 'draft' });
    }
  }
  let job: Schemas['JobDto'];
  if (options.job) {
    job = (await getJob(options.job))!;
    if (job.status !== 'draft')
      throw new Error(`Job ${job.name} (${job.id}) is ${job.status.replace(/_/g, ' ')}: files can be added to a draft only.`);
    if (options.preset)
      job = await unwrap(
        client.PATCH('/v1/jobs/{id}', { params: { path: { id: job.id } }, body: { preset: await readPreset(options.preset) } }),
      );
    out.info(`Adding to job ${job.name} (${job.id}).`);
  } else {
    const preset = options.preset ? await readPreset(options.preset) : undefined;
    job = await unwrap(
      client.POST('/v1/jobs', {
        body: { name: options.name ?? path.basename(base), preset },
        params: { header: { 'Idempotency-Key': randomUUID() } },
      }),
    );
    out.info(`Created job ${job.name} (${job.id}).`);
  }
  const state: UploadState = { apiUrl, jobName: job.name, jobId: job.id, submitted: false, files: {} };
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
