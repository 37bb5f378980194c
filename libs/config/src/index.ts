export { loadConfig, ConfigError, type AppConfig, type BucketNames } from './app-config.js';
