export * from './renditions/index.js';
