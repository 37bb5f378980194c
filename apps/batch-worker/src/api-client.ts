import { setTimeout as sleep } from 'node:timers/promises';
import {
  type ArchivePartRequest,
  type ClaimArchiveResponse,
  type ClaimFileResponse,
  type CompleteArchiveRequest,
  type CompleteFileRequest,
  type FailFileRequest,
  type LeaseResponse,
  type PresignedTarget,
  workerRoutes,
} from '#worker-protocol';

export interface WorkerApiOptions {
  baseUrl: string;
  token: string;
  /** Attempts for one call when the API is unreachable or answers 5xx/429. */
  attempts?: number;
  backoffMs?: number;
  timeoutMs?: number;
}

/** The API refused a call for good (a 4xx other than 408 and 429): retrying would not help. */
export class WorkerApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'WorkerApiError';
  }
}

/**
 * The worker's only way to the queue: the API's worker endpoints with its own token. Calls that
 * fail because the API is restarting or unreachable are retried with exponential backoff.
 */
export class WorkerApi {
  private readonly attempts: number;
  private readonly backoffMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly options: WorkerApiOptions) {
    // About two minutes (0.25 s doubling to 10 s between tries): an API restart or redeploy, or a
    // database failover behind it, is waited out; the lease rules keep the work correct meanwhile.
    this.attempts = options.attempts ?? 18;
    this.backoffMs = options.backoffMs ?? 250;
    this.timeoutMs = options.timeoutMs ?? 30_000;
  }

  heartbeat(pid: number): Promise<void> {
    return this.call(workerRoutes.heartbeat, { pid });
  }

  stopped(reason: string): Promise<void> {
    return this.call(workerRoutes.stopped, { reason });
  }

  async claimFile(): Promise<ClaimFileResponse['file']> {
    return (await this.call<ClaimFileResponse>(workerRoutes.claimFile, {})).file;
  }

  async renew(fileId: string): Promise<boolean> {
    return (await this.call<LeaseResponse>(workerRoutes.renewFile(fileId), {})).held;
  }

  async complete(fileId: string, result: CompleteFileRequest): Promise<boolean> {
    return (await this.call<LeaseResponse>(workerRoutes.completeFile(fileId), result)).held;
  }

  fail(fileId: string, failure: FailFileRequest): Promise<void> {
    return this.call(workerRoutes.failFile(fileId), failure);
  }

  release(fileId: string): Promise<void> {
    return this.call(workerRoutes.releaseFile(fileId), {});
  }

  async claimArchive(): Promise<ClaimArchiveResponse['archive']> {
    return (await this.call<ClaimArchiveResponse>(workerRoutes.claimArchive, {})).archive;
  }

  archivePart(jobId: string, part: ArchivePartRequest): Promise<PresignedTarget> {
    return this.call<PresignedTarget>(workerRoutes.archivePart(jobId), part);
  }

  completeArchive(jobId: string, request: CompleteArchiveRequest): Promise<void> {
    return this.call(workerRoutes.completeArchive(jobId), request);
  }

  releaseArchive(jobId: string): Promise<void> {
    return this.call(workerRoutes.releaseArchive(jobId), {});
  }

  private async call<T = void>(route: string, body: unknown): Promise<T> {
    let lastError: unknown;
    for (let attempt = 1; attempt <= this.attempts; attempt += 1) {
      try {
        const response = await fetch(`${this.options.baseUrl}${route}`, {
          method: 'POST',
          headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json' },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(this.timeoutMs),
        });
        if (response.status === 204) return undefined as T;
        if (response.ok) return (await response.json()) as T;
        const detail = await response.text().catch(() => '');
        // 408 (the API's request deadline, e.g. while its database restarts) and 429 are worth retrying.
        if (response.status < 500 && response.status !== 429 && response.status !== 408)
          throw new WorkerApiError(response.status, `${route} answered ${response.status}: ${detail.slice(0, 300)}`);
        lastError = new Error(`${route} answered ${response.status}`);
      } catch (error) {
        if (error instanceof WorkerApiError) throw error;
        lastError = error;
      }
      if (attempt < this.attempts) await sleep(Math.min(this.backoffMs * 2 ** (attempt - 1), 10_000));
    }
    throw lastError;
  }
}
