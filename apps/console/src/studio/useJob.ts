import { useCallback, useEffect, useState } from 'react';
import { paginate, unwrap } from '#sdk';
import { describeError, type RevelaClient, type Schemas } from '../api.js';

export type Job = Schemas['JobDto'];
export type JobFile = Schemas['JobFileDto'];
const RUNNING = new Set(['queued', 'processing']);

/** A job and its files, refreshed every second while workers are on it (live progress). */
export function useJob(client: RevelaClient, jobId: string) {
  const [job, setJob] = useState<Job | null>(null);
  const [files, setFiles] = useState<JobFile[]>([]);
  const [error, setError] = useState<string | null>(null);

  const refresh = useCallback(async () => {
    try {
      const found = await unwrap(client.GET('/v1/jobs/{id}', { params: { path: { id: jobId } } }));
      const all: JobFile[] = [];
      for await (const file of paginate((cursor) =>
        client.GET('/v1/jobs/{id}/files', { params: { path: { id: jobId }, query: { cursor, limit: 100 } } }),
      ))
        all.push(file);
      setJob(found);
      setFiles(all);
      setError(null);
    } catch (failure) {
      setError(describeError(failure));
    }
  }, [client, jobId]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const running = job ? RUNNING.has(job.status) : false;
  useEffect(() => {
    if (!running) return;
    const timer = setInterval(() => void refresh(), 1000);
    return () => clearInterval(timer);
  }, [running, refresh]);

  return { job, files, error, refresh };
}
