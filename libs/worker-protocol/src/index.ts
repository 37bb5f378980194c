/**
 * The batch worker's contract with the API. A worker holds no database or AWS credentials: it
 * calls these routes with its own bearer token and reads and writes S3 only through the presigned
 * URLs they hand out, each scoped to one object of the one file or archive it holds.
 */
export const WORKER_API_BASE = '/internal/v1/workers';

export const workerRoutes = {
  heartbeat: `${WORKER_API_BASE}/heartbeat`,
  stopped: `${WORKER_API_BASE}/stopped`,
  claimFile: `${WORKER_API_BASE}/files/claim`,
  renewFile: (fileId: string) => `${WORKER_API_BASE}/files/${fileId}/renew`,
  completeFile: (fileId: string) => `${WORKER_API_BASE}/files/${fileId}/complete`,
  failFile: (fileId: string) => `${WORKER_API_BASE}/files/${fileId}/fail`,
  releaseFile: (fileId: string) => `${WORKER_API_BASE}/files/${fileId}/release`,
  claimArchive: `${WORKER_API_BASE}/archives/claim`,
  archivePart: (jobId: string) => `${WORKER_API_BASE}/archives/${jobId}/parts`,
  completeArchive: (jobId: string) => `${WORKER_API_BASE}/archives/${jobId}/complete`,
  releaseArchive: (jobId: string) => `${WORKER_API_BASE}/archives/${jobId}/release`,
} as const;

export interface PresignedTarget {
  url: string;
  headers: Record<string, string>;
}

/** One file leased to the worker, with the only URLs it may use for it. */
export interface ClaimedFileMessage {
  id: string;
  jobId: string;
  tenantId: string;
  filename: string;
  attempt: number;
  /** The job's processing preset (see `ProcessingPreset` in the imaging library). */
  preset: unknown;
  leaseSeconds: number;
  /** GET of the uploaded RAW. */
  source: PresignedTarget;
  /** One PUT per preset variant, by variant name. */
  outputs: Record<string, PresignedTarget>;
}

export interface ClaimFileResponse {
  file: ClaimedFileMessage | null;
}

/** A rendered variant as the worker uploaded it; the API derives its key itself. */
export interface OutputReport {
  variant: string;
  width: number;
  height: number;
  bytes: number;
}

export interface CompleteFileRequest {
  outputs: OutputReport[];
  source: string;
  timings: Record<string, number>;
  warnings: string[];
}

export interface FailFileRequest {
  reason: string;
  /** The file itself is bad (no retry), as opposed to a transient failure. */
  permanent: boolean;
  timings?: Record<string, number>;
}

/** `held: false` means the lease is gone (canceled or taken over): the worker drops the file. */
export interface LeaseResponse {
  held: boolean;
}

/** A job whose files are all finished, leased to the worker to build its ZIP. */
export interface ArchiveClaimMessage {
  jobId: string;
  /** ZIP entries in order, each with a GET of the stored output. */
  entries: Array<{ name: string; source: PresignedTarget }>;
  /** Every part but the last must be exactly this size. */
  partBytes: number;
}

export interface ClaimArchiveResponse {
  archive: ArchiveClaimMessage | null;
}

export interface ArchivePartRequest {
  partNumber: number;
  bytes: number;
}

export interface CompleteArchiveRequest {
  parts: Array<{ partNumber: number; etag: string }>;
  bytes: number;
}

export interface HeartbeatRequest {
  pid?: number;
}

export interface StoppedRequest {
  reason: string;
}
