import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export interface CliConfig {
  apiUrl: string;
  apiKey: string;
}

export const DEFAULT_API_URL = 'http://127.0.0.1:3000';

/** `$REVELA_CONFIG`, else `$XDG_CONFIG_HOME/revela/config.json`, else `~/.config/revela/config.json`. */
export function configPath(env: NodeJS.ProcessEnv = process.env): string {
  if (env.REVELA_CONFIG) return env.REVELA_CONFIG;
  const base = env.XDG_CONFIG_HOME || path.join(env.HOME || os.homedir(), '.config');
  return path.join(base, 'revela', 'config.json');
}

export async function readStoredConfig(file = configPath()): Promise<Partial<CliConfig>> {
  try {
    return JSON.parse(await readFile(file, 'utf8')) as Partial<CliConfig>;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw new Error(`Cannot read ${file}: ${(error as Error).message}`, { cause: error });
  }
}

/** Writes the key readable by its owner only (0600), in a folder only they can enter (0700). */
export async function storeConfig(config: CliConfig, file = configPath()): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true, mode: 0o700 });
  const temporary = `${file}.${process.pid}.tmp`;
  await writeFile(temporary, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
  await chmod(temporary, 0o600);
  await rename(temporary, file);
}

/** REVELA_API_KEY / REVELA_API_URL win over the stored config; `--api-url` wins over both. */
export async function resolveConfig(apiUrlOption?: string, env: NodeJS.ProcessEnv = process.env): Promise<CliConfig> {
  const stored = await readStoredConfig(configPath(env));
  const apiKey = env.REVELA_API_KEY || stored.apiKey;
  if (!apiKey) throw new UsageError('Not signed in: run `revela login` or set REVELA_API_KEY.');
  return { apiKey, apiUrl: apiUrlOption || env.REVELA_API_URL || stored.apiUrl || DEFAULT_API_URL };
}

/** A mistake in how the command was called or set up (exit code 2). */
export class UsageError extends Error {
  override name = 'UsageError';
}
