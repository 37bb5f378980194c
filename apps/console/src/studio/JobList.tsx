import { useEffect, useState } from 'react';
import { unwrap } from '#sdk';
import { describeError, type RevelaClient, type Schemas } from '../api.js';
import { href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { statusLabel } from '../ui/format.js';

/** The studio's jobs, newest first, page by page. */
export function JobList({ client }: { client: RevelaClient }) {
  const [cursors, setCursors] = useState<Array<string | undefined>>([undefined]);
  const [page, setPage] = useState<Schemas['JobPageDto'] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const cursor = cursors[cursors.length - 1];

  useEffect(() => {
    unwrap(client.GET('/v1/jobs', { params: { query: { cursor, limit: 20 } } })).then(setPage, (failure: unknown) =>
      setError(describeError(failure)),
    );
  }, [client, cursor]);

  return (
    <section aria-labelledby="jobs-title">
      <div className="title-row">
        <h1 id="jobs-title">Jobs</h1>
        <a className="button" href={href('jobs', 'new')}>
          New job
        </a>
      </div>
      <ErrorNotice message={error} />
      {page && page.items.length === 0 && <p>No jobs yet.</p>}
      {page && page.items.length > 0 && (
        <ul className="cards" aria-label="Jobs">
          {page.items.map((job) => (
            <li key={job.id}>
              <a href={href('jobs', job.id)}>{job.name}</a>
              <span>{statusLabel(job.status)}</span>
              <span>
                {job.fileCounts.total} files · {Math.round(job.progress)}%
              </span>
            </li>
          ))}
        </ul>
      )}
      <nav className="pager" aria-label="Pages">
        <button type="button" disabled={cursors.length <= 1} onClick={() => setCursors(cursors.slice(0, -1))}>
          Previous page
        </button>
        <button type="button" disabled={!page?.nextCursor} onClick={() => page?.nextCursor && setCursors([...cursors, page.nextCursor])}>
          Next page
        </button>
      </nav>
    </section>
  );
}
