import { useEffect, useState } from 'react';
import { unwrap } from '#sdk';
import { describeError, type RevelaClient, type Schemas } from '../api.js';
import { href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { formatBytes, statusLabel } from '../ui/format.js';
import { ProgressBar } from '../ui/ProgressBar.js';
import { RawUploader } from './RawUploader.js';
import { useJob } from './useJob.js';

const FINISHED = new Set(['completed', 'completed_with_errors']);
/** What POST /v1/jobs/{id}/retry accepts: a finished job with failed files. */
const RETRYABLE = new Set(['completed_with_errors', 'failed']);

/** One job: add files while it is a draft, submit, watch it develop, download the ZIP. */
export function JobPage({ client, jobId }: { client: RevelaClient; jobId: string }) {
  const { job, files, error, refresh } = useJob(client, jobId);
  const [busy, setBusy] = useState(false);
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [download, setDownload] = useState<Schemas['JobDownloadDto'] | null>(null);
  const [notice, setNotice] = useState<string | null>(null);

  const finished = job ? FINISHED.has(job.status) : false;
  useEffect(() => {
    if (!finished) return setDownload(null);
    unwrap(client.GET('/v1/jobs/{id}/download', { params: { path: { id: jobId } } })).then(setDownload, (failure: unknown) =>
      setSubmitError(describeError(failure)),
    );
  }, [client, jobId, finished]);

  const submit = async () => {
    setSubmitError(null);
    try {
      await unwrap(client.POST('/v1/jobs/{id}/submit', { params: { path: { id: jobId } } }));
    } catch (failure) {
      setSubmitError(describeError(failure));
    }
    await refresh();
  };

  const retry = async () => {
    setSubmitError(null);
    setNotice(null);
    setBusy(true);
    let requeued: number | null = null;
    try {
      ({ requeued } = await unwrap(client.POST('/v1/jobs/{id}/retry', { params: { path: { id: jobId } } })));
    } catch (failure) {
      setSubmitError(describeError(failure));
    }
    await refresh();
    setBusy(false);
    if (requeued !== null) setNotice(`${requeued} failed ${requeued === 1 ? 'file' : 'files'} re-queued.`);
  };

  if (!job) return <ErrorNotice message={error} />;
  return (
    <section aria-labelledby="job-title">
      <p>
        <a href={href()}>← Jobs</a>
      </p>
      <h1 id="job-title">{job.name}</h1>
      <p className="job-status" aria-live="polite">
        Status: <strong>{statusLabel(job.status)}</strong> · {job.fileCounts.done} done · {job.fileCounts.failed} failed ·{' '}
        {job.fileCounts.total} files
      </p>
      {job.status !== 'draft' && <ProgressBar label="Job progress" value={job.progress} max={100} />}
      {job.status === 'draft' && (
        <>
          <RawUploader client={client} jobId={jobId} onUploaded={() => void refresh()} onBusy={setBusy} />
          <button type="button" disabled={busy || job.fileCounts.total === 0} onClick={() => void submit()}>
            Submit job
          </button>
        </>
      )}
      {RETRYABLE.has(job.status) && job.fileCounts.failed > 0 && (
        <button type="button" disabled={busy} onClick={() => void retry()}>
          Retry failed files
        </button>
      )}
      {notice && (
        <p className="notice" role="status">
          {notice}
        </p>
      )}
      <ErrorNotice message={submitError ?? error} />
      {download?.archive && (
        <p>
          <a className="button" href={download.archive.url} download={download.archive.filename}>
            Download ZIP ({formatBytes(download.archive.bytes)})
          </a>
        </p>
      )}
      {files.length > 0 && (
        <table className="files">
          <caption>Files</caption>
          <thead>
            <tr>
              <th scope="col">File</th>
              <th scope="col">Size</th>
              <th scope="col">Status</th>
              <th scope="col">Reason</th>
            </tr>
          </thead>
          <tbody>
            {files.map((file) => (
              <tr key={file.id} className={file.status === 'failed' ? 'failed' : ''}>
                <td>{file.filename}</td>
                <td>{formatBytes(file.bytes)}</td>
                <td>{statusLabel(file.status)}</td>
                <td>{file.error ?? ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  );
}
