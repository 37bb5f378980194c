export * from './job-status.js';
export * from './photo-status.js';
