import { randomBytes } from 'node:crypto';
import { type Answer, call, isRetryableProblem } from './http.js';

export interface Outcome {
  route: string;
  status: number;
  retryable: boolean;
  at: number;
  text: string;
}

export interface TrafficOptions {
  baseUrl: string;
  adminToken: string;
  clinicKey: string;
  studioKey: string;
  /** An animal the photo declarations go to. */
  animalId: string;
  /** Bytes PUT to each photo's presigned URL (the thumbnail Lambda then renders them). */
  photo: Buffer;
  /** At most this many photos are uploaded (each costs a render). */
  maxPhotos: number;
  pauseMs?: number;
}

/**
 * Clients doing what clinics, studios and the platform admin do, in a loop, recording every
 * answer and every object they were told was created: the ground truth a fault test checks the
 * database against.
 */
export class Traffic {
  readonly outcomes: Outcome[] = [];
  readonly created = {
    animals: new Map<string, string>(),
    tenants: [] as string[],
    jobs: new Map<string, string>(),
    files: [] as Array<{ id: string; jobId: string }>,
    photos: [] as Array<{ id: string; animalId: string }>,
  };
  private running = false;
  private loops: Array<Promise<void>> = [];
  private photosStarted = 0;

  constructor(private readonly options: TrafficOptions) {}

  start(clients: number): void {
    this.running = true;
    for (let i = 0; i < clients; i += 1) this.loops.push(this.loop(i));
  }

  async stop(): Promise<void> {
    this.running = false;
    await Promise.all(this.loops);
    this.loops = [];
  }

  /** Answers that were neither a success nor a retryable 503 problem. */
  unexpected(): Outcome[] {
    return this.outcomes.filter((o) => !(o.status >= 200 && o.status < 300) && !o.retryable);
  }

  count(predicate: (o: Outcome) => boolean): number {
    return this.outcomes.filter(predicate).length;
  }

  private async loop(client: number): Promise<void> {
    for (let i = client; this.running; i += 1) {
      await this.step(i);
      await new Promise((resolve) => setTimeout(resolve, this.options.pauseMs ?? 20));
    }
  }

  private record(route: string, answer: Answer): boolean {
    this.outcomes.push({
      route,
      status: answer.status,
      retryable: isRetryableProblem(answer),
      at: Date.now(),
      text: answer.text.slice(0, 300),
    });
    return answer.status >= 200 && answer.status < 300;
  }

  private async step(i: number): Promise<void> {
    const { baseUrl, clinicKey, studioKey, adminToken } = this.options;
    const tag = randomBytes(5).toString('hex');
    switch (i % 6) {
      case 0: {
        const name = `Rex ${tag}`;
        const answer = await call(baseUrl, 'POST', '/v1/animals', clinicKey, {
          name,
          species: 'dog',
          microchipId: tag.toUpperCase() + '0000',
          tutor: { name: 'Maria Silva' },
        });
        if (this.record('POST /v1/animals', answer)) this.created.animals.set(answer.body.id, name);
        return;
      }
      case 1:
        this.record('GET /v1/animals', await call(baseUrl, 'GET', '/v1/animals?limit=10', clinicKey));
        return;
      case 2: {
        const name = `Session ${tag}`;
        const job = await call(baseUrl, 'POST', '/v1/jobs', studioKey, { name });
        if (!this.record('POST /v1/jobs', job)) return;
        this.created.jobs.set(job.body.id, name);
        const file = await call(baseUrl, 'POST', `/v1/jobs/${job.body.id}/files`, studioKey, { filename: `${tag}.nef`, bytes: 1024 });
        if (this.record('POST /v1/jobs/:id/files', file)) this.created.files.push({ id: file.body.file.id, jobId: job.body.id });
        return;
      }
      case 3: {
        if (this.photosStarted >= this.options.maxPhotos) {
          this.record('GET /v1/jobs', await call(baseUrl, 'GET', '/v1/jobs?limit=10', studioKey));
          return;
        }
        this.photosStarted += 1;
        const { photo, animalId } = this.options;
        const declared = await call(baseUrl, 'POST', `/v1/animals/${animalId}/photos`, clinicKey, {
          contentType: 'image/jpeg',
          filename: `${tag}.jpg`,
          bytes: photo.length,
        });
        if (!this.record('POST /v1/animals/:id/photos', declared)) {
          this.photosStarted -= 1;
          return;
        }
        const put = await fetch(declared.body.upload.url, { method: 'PUT', headers: declared.body.upload.headers, body: photo });
        if (!put.ok) throw new Error(`presigned PUT answered ${put.status}`);
        this.created.photos.push({ id: declared.body.photo.id, animalId });
        return;
      }
      case 4:
        this.record('GET /v1/tenant', await call(baseUrl, 'GET', '/v1/tenant', studioKey));
        return;
      default: {
        if (i % 24 !== 5) {
          this.record('GET /v1/jobs', await call(baseUrl, 'GET', '/v1/jobs?limit=10', studioKey));
          return;
        }
        const tenant = await call(baseUrl, 'POST', '/v1/tenants', adminToken, { name: `Clinic ${tag}`, kind: 'clinic' });
        if (this.record('POST /v1/tenants', tenant)) this.created.tenants.push(tenant.body.tenant.id);
      }
    }
  }
}
