import { setTimeout as sleep } from 'node:timers/promises';
import { type RevelaClient, type Schemas, unwrap } from '#sdk';

export type Job = Schemas['JobDto'];
export const TERMINAL = new Set(['completed', 'completed_with_errors', 'failed', 'canceled']);

/** Polls the job until every file is finished (workers run only while there is work). */
export async function waitForJob(client: RevelaClient, jobId: string, onUpdate: (job: Job) => void, intervalMs = 1000): Promise<Job> {
  for (;;) {
    const job = await unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id: jobId } } }));
    onUpdate(job);
    if (TERMINAL.has(job.status)) return job;
    await sleep(intervalMs);
  }
}
