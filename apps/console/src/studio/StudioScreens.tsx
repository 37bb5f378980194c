import type { RevelaClient } from '../api.js';
import { useRoute } from '../router.js';
import { JobCreate } from './JobCreate.js';
import { JobList } from './JobList.js';
import { JobPage } from './JobPage.js';

/** `#/` jobs, `#/jobs/new`, `#/jobs/{id}`. */
export function StudioScreens({ client }: { client: RevelaClient }) {
  const [section, id] = useRoute();
  if (section === 'jobs' && id === 'new') return <JobCreate client={client} />;
  if (section === 'jobs' && id) return <JobPage client={client} jobId={id} />;
  return <JobList client={client} />;
}
