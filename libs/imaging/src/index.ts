export * from './renditions/index.js';
export * from './raw/index.js';
