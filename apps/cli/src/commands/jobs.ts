import { mkdir } from 'node:fs/promises';
import { paginate, type RevelaClient, type Schemas, unwrap } from '#sdk';
import { downloadArchive } from '../jobs/download.js';
import { EXIT, type Output } from '../output.js';

type Job = Schemas['JobDto'];
const status = (s: string) => s.replace(/_/g, ' ');

/** `revela jobs list`: every job (newest first), optionally of one status. */
export async function jobsListCommand(client: RevelaClient, options: { status?: Job['status'] }, out: Output): Promise<number> {
  const jobs: Job[] = [];
  for await (const job of paginate((cursor) =>
    client.GET('/v1/jobs', { params: { query: { cursor, limit: 100, status: options.status } } }),
  ))
    jobs.push(job);
  const lines = jobs.map(
    (j) =>
      `${j.id}  ${status(j.status).padEnd(21)} ${String(Math.round(j.progress)).padStart(3)}%  ${String(j.fileCounts.total).padStart(5)} files  ${j.name}`,
  );
  out.result({ items: jobs }, jobs.length ? lines.join('\n') : 'No jobs.');
  return 0;
}

/** `revela jobs show <id>`: the job, its counts, and every file with its status and failure reason. */
export async function jobsShowCommand(client: RevelaClient, id: string, out: Output): Promise<number> {
  const job = await unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id } } }));
  const files: Array<Schemas['JobFileDto']> = [];
  for await (const file of paginate((cursor) =>
    client.GET('/v1/jobs/{id}/files', { params: { path: { id }, query: { cursor, limit: 100 } } }),
  ))
    files.push(file);
  const c = job.fileCounts;
  const lines = [
    `${job.name} (${job.id})`,
    `status: ${status(job.status)}, ${Math.round(job.progress)}%`,
    `files: ${c.total} (${c.done} done, ${c.failed} failed, ${c.processing} processing, ${c.queued} queued, ${c.declared} declared)`,
    `worker time: ${job.workerSeconds.toFixed(1)} s`,
    ...files.map((f) => `  ${status(f.status).padEnd(10)} ${f.filename}${f.error ? `: ${f.error}` : ''}`),
  ];
  out.result({ job, files }, lines.join('\n'));
  return 0;
}

/** `revela jobs cancel <id>`: stops a draft, queued or processing job (409 otherwise). */
export async function jobsCancelCommand(client: RevelaClient, id: string, out: Output): Promise<number> {
  const job = await unwrap(client.POST('/v1/jobs/{id}/cancel', { params: { path: { id } } }));
  out.result({ job }, `Job ${job.name} (${job.id}) ${status(job.status)}.`);
  return 0;
}

/** `revela jobs retry <id>`: sends a finished job's failed files back to the queue. */
export async function jobsRetryCommand(client: RevelaClient, id: string, out: Output): Promise<number> {
  const { requeued, job } = await unwrap(client.POST('/v1/jobs/{id}/retry', { params: { path: { id } } }));
  out.result(
    { requeued, job },
    `Re-queued ${requeued} failed file${requeued === 1 ? '' : 's'} of ${job.name} (${job.id}); it is ${status(job.status)}.`,
  );
  return 0;
}

/** `revela jobs download <id> [--output DIR]`: saves a finished job's ZIP. */
export async function jobsDownloadCommand(client: RevelaClient, id: string, options: { output?: string }, out: Output): Promise<number> {
  const folder = options.output ?? process.cwd();
  await mkdir(folder, { recursive: true });
  const zip = await downloadArchive(client, id, folder);
  if (!zip) {
    out.result({ zip: null }, 'No ZIP: no file of the job succeeded.');
    return EXIT.failure;
  }
  out.result({ zip }, `ZIP: ${zip}`);
  return EXIT.ok;
}
