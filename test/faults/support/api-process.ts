import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { ProbeReading } from './process-probe.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.resolve(here, '../../../apps/api/src/main.js');
const PROBE = pathToFileURL(path.join(here, 'process-probe.js')).href;
const KEEP_OUTPUT = 256 * 1024;

export interface ApiProcess {
  child: ChildProcess;
  pid: number;
  baseUrl: string;
  /** stdout and stderr so far (the tail), the local workers' lines included. */
  output(): string;
  /** Resolves when the process exits (it does not wait for the workers it leaves behind). */
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * Runs the API exactly as production does (`node dist/apps/api/src/main.js`), so a test can send
 * it real signals: SIGTERM for a graceful stop, SIGKILL for a crash. Resolves once it listens.
 */
export async function startApiProcess(
  env: Record<string, string>,
  options: { timeoutMs?: number; probe?: boolean } = {},
): Promise<ApiProcess> {
  const timeoutMs = options.timeoutMs ?? 90_000;
  // With `probe`, process-probe.js is preloaded and answers IPC `probe` messages (see probe()).
  const child = options.probe
    ? spawn(process.execPath, ['--expose-gc', '--import', PROBE, MAIN], {
        env: { ...process.env, ...env },
        stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      })
    : spawn(process.execPath, [MAIN], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const append = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-KEEP_OUTPUT);
  };
  child.stdout!.on('data', append);
  child.stderr!.on('data', append);
  const exited = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
  }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`the API did not start within ${timeoutMs} ms:\n${output}`)), timeoutMs);
    const check = () => {
      if (!output.includes('API listening')) return;
      clearTimeout(timer);
      child.stderr!.off('data', check);
      resolve();
    };
    child.stderr!.on('data', check);
    void exited.then(({ code, signal }) => {
      clearTimeout(timer);
      reject(new Error(`the API exited (${code ?? signal}) before listening:\n${output}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    baseUrl: `http://127.0.0.1:${env.PORT}`,
    output: () => output,
    exited,
  };
}

/**
 * Memory and event-loop delay of an API started with `{ probe: true }`; `reset` restarts the delay
 * histogram, `gc` collects garbage first so the heap reading shows only what is still retained.
 */
export function probe(api: ApiProcess, message: 'probe' | 'probe:reset' | 'probe:gc' = 'probe'): Promise<ProbeReading> {
  return new Promise((resolve, reject) => {
    if (message === 'probe:reset') {
      api.child.send(message, (error) => (error ? reject(error) : resolve(undefined as never)));
      return;
    }
    const onMessage = (reply: unknown) => {
      if (typeof reply !== 'object' || reply === null || !('probe' in reply)) return;
      api.child.off('message', onMessage);
      resolve((reply as { probe: ProbeReading }).probe);
    };
    api.child.on('message', onMessage);
    api.child.send(message, (error) => {
      if (error) reject(error);
    });
  });
}

/** Kills what the test started and may have left behind (orphaned worker processes), by pid. */
export function killQuietly(pid: number | undefined, signal: NodeJS.Signals = 'SIGKILL'): void {
  if (!pid) return;
  try {
    process.kill(pid, signal);
  } catch {
    // already gone
  }
}
