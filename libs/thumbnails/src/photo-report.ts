import { randomUUID } from 'node:crypto';
import type { StoredRendition } from '#database';
import { REPORT_ID_HEADER, SIGNATURE_HEADER, signRequest } from '#signing';

/**
 * The contract between the thumbnail Lambda and the API's internal endpoint
 * `POST /internal/v1/photos/{photoId}/result`, signed with `signRequest` over the method, this
 * path and the body, with a fresh report id per attempt.
 */
export const photoResultPath = (photoId: string) => `/internal/v1/photos/${encodeURIComponent(photoId)}/result`;

/** The headers of one signed report (a new report id unless one is given). */
export function photoReportHeaders(
  key: string,
  photoId: string,
  body: string,
  options: { reportId?: string; timestamp?: number } = {},
): Record<string, string> {
  const reportId = options.reportId ?? randomUUID();
  return {
    'content-type': 'application/json',
    [REPORT_ID_HEADER]: reportId,
    [SIGNATURE_HEADER]: signRequest(key, { method: 'POST', path: photoResultPath(photoId), reportId, body }, options.timestamp),
  };
}

export interface PhotoRef {
  tenantId: string;
  animalId: string;
}

export interface ReportedOriginal {
  format: string;
  width: number;
  height: number;
  takenAt: string | null;
}

/** A rendition as reported: exactly what the API stores for it, its key in the processed bucket included. */
export type ReportedRendition = StoredRendition;

/** The upload was seen and rendering starts. */
export interface ProcessingReport extends PhotoRef {
  status: 'processing';
}

export interface ReadyReport extends PhotoRef {
  status: 'ready';
  original: ReportedOriginal;
  renditions: ReportedRendition[];
}

export interface FailedReport extends PhotoRef {
  status: 'failed';
  /** Human-readable, shown to clinic staff. */
  reason: string;
}

export type PhotoReport = ProcessingReport | ReadyReport | FailedReport;

/** The API's answer. `proceed: false` tells the Lambda to stop: unknown, deleted or finished photo. */
export interface PhotoReportAck {
  photoId: string;
  /** The photo's status after the report, or null when the photo does not exist. */
  status: 'pending_upload' | 'processing' | 'ready' | 'failed' | null;
  /** Whether this report changed the photo. */
  changed: boolean;
  proceed: boolean;
}
