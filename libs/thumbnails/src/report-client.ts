import { setTimeout as sleep } from 'node:timers/promises';
import { type PhotoReport, type PhotoReportAck, photoReportHeaders, photoResultPath } from './photo-report.js';

export class ReportRejectedError extends Error {
  override readonly name = 'ReportRejectedError';
  constructor(readonly status: number) {
    super(`the API refused the photo report with HTTP ${status}`);
  }
}

/** Tries of one report while the API is unreachable or answers 5xx/429 (restarting, database down): 0.5, 1, 2, 4 s apart. */
const REPORT_ATTEMPTS = 5;
const REPORT_BACKOFF_MS = 500;

/**
 * Posts a signed report to the API. A report is cheap and idempotent, so one the API could not
 * take (unreachable, 5xx, 429) is retried with backoff before the invocation fails (and is then
 * retried as a whole, rendering again). A 4xx throws at once.
 */
export async function sendReport(
  options: { apiUrl: string; signingKey: string; timeoutMs: number },
  photoId: string,
  report: PhotoReport,
): Promise<PhotoReportAck> {
  const body = JSON.stringify(report);
  for (let attempt = 1; ; attempt += 1) {
    try {
      const response = await fetch(`${options.apiUrl}${photoResultPath(photoId)}`, {
        method: 'POST',
        // Each attempt is its own signed message (new report id): the API accepts an id once.
        headers: photoReportHeaders(options.signingKey, photoId, body),
        body,
        signal: AbortSignal.timeout(options.timeoutMs),
      });
      if (!response.ok) {
        await response.body?.cancel();
        throw new ReportRejectedError(response.status);
      }
      return (await response.json()) as PhotoReportAck;
    } catch (error) {
      const transient = !(error instanceof ReportRejectedError) || error.status >= 500 || error.status === 429;
      if (!transient || attempt >= REPORT_ATTEMPTS) throw error;
    }
    await sleep(REPORT_BACKOFF_MS * 2 ** (attempt - 1));
  }
}
