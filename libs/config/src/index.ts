export {
  loadConfig,
  loadThumbnailConfig,
  loadWorkerConfig,
  ConfigError,
  type AppConfig,
  type BucketNames,
  type ProcessingConfig,
  type ThumbnailConfig,
  type WorkerConfig,
} from './app-config.js';
export { configSchema, thumbnailConfigSchema, workerConfigSchema } from './schema.js';
