export { JobQueue, type ArchiveClaim, type ClaimedFile, type FileOutput, type FileResult } from './job-queue.js';
export { WorkersRegistry } from './workers-registry.js';
export { dataSourceSql, poolSql, rowsOf, type Sql } from './sql.js';
