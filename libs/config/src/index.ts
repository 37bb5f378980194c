export {
  loadConfig,
  loadWorkerConfig,
  ConfigError,
  type AppConfig,
  type BucketNames,
  type ProcessingConfig,
  type WorkerConfig,
} from './app-config.js';
