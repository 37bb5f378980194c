export {
  loadConfig,
  loadThumbnailConfig,
  loadWorkerConfig,
  ConfigError,
  type AppConfig,
  type BucketNames,
  type ProcessingConfig,
  type QuotaDefaults,
  type ResolvedConfig,
  type ThumbnailConfig,
  type WebhookConfig,
  type WorkerConfig,
} from './app-config.js';
export { APP_CONFIG, AppConfigModule, InjectConfig } from './config.module.js';
export { configSchema, thumbnailConfigSchema, workerConfigSchema, workerProcessingFields } from './schema.js';
export { SECRET_VARIABLES, withSigningKeyFromSsm, withSsmSecrets } from './ssm-secrets.js';
