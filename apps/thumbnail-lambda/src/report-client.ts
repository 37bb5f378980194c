import { type PhotoReport, type PhotoReportAck, photoResultPath, SIGNATURE_HEADER, signBody } from '#signing';

export class ReportRejectedError extends Error {
  override readonly name = 'ReportRejectedError';
  constructor(readonly status: number) {
    super(`the API refused the photo report with HTTP ${status}`);
  }
}

/** Posts a signed report to the API; any non-2xx or network failure throws (the invocation is retried). */
export async function sendReport(options: { apiUrl: string; signingKey: string; timeoutMs: number }, photoId: string, report: PhotoReport): Promise<PhotoReportAck> {
  const body = JSON.stringify(report);
  const response = await fetch(`${options.apiUrl}${photoResultPath(photoId)}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', [SIGNATURE_HEADER]: signBody(options.signingKey, body) },
    body,
    signal: AbortSignal.timeout(options.timeoutMs),
  });
  if (!response.ok) {
    await response.body?.cancel();
    throw new ReportRejectedError(response.status);
  }
  return (await response.json()) as PhotoReportAck;
}
