export { createThumbnailHandler, decodeEventKey, type Log, type RecordOutcome, type ThumbnailDeps } from './thumbnail-handler.js';
export * from './photo-report.js';
export { ReportRejectedError, sendReport } from './report-client.js';
