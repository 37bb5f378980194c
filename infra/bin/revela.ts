/**
 * The CDK app: `cd infra && npx cdk synth|deploy -c config=environments/prod.json [-c key=value …]`.
 * Settings come from a JSON file named by the `config` context key, then from individual context
 * keys (which win); infra/lib/settings.ts lists them with their defaults.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App } from 'aws-cdk-lib';
import { createApp } from '../lib/app.js';
import { RevelaStack } from '../lib/revela-stack.js';
import { names, parseSettings, settingsSchema, SettingsError } from '../lib/settings.js';

/** The repository root, from dist/infra/bin/revela.js. */
const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');

function contextSettings(app: App): Record<string, unknown> {
  const settings: Record<string, unknown> = {};
  const file = app.node.tryGetContext('config') as string | undefined;
  if (file) Object.assign(settings, JSON.parse(readFileSync(path.resolve(process.cwd(), file), 'utf8')) as Record<string, unknown>);
  for (const key of Object.keys(settingsSchema.shape)) {
    const value: unknown = app.node.tryGetContext(key);
    if (value !== undefined) settings[key] = value;
  }
  return settings;
}

const app = createApp();
try {
  const settings = parseSettings(contextSettings(app));
  new RevelaStack(app, names(settings).stack, {
    settings,
    thumbnailZipPath: path.join(repoRoot, 'dist', 'lambda', 'thumbnail-lambda.zip'),
  });
} catch (error) {
  if (error instanceof SettingsError) {
    process.stderr.write(`${error.message}\nPass -c config=environments/<name>.json (see infra/README.md).\n`);
    process.exit(1);
  }
  throw error;
}
