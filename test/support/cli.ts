import { type ChildProcess, spawn } from 'node:child_process';
import path from 'node:path';

/** The real `revela` bin (package.json), run as its own process. */
export const REVELA_BIN = path.resolve('apps/cli/bin/revela.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface CliRun {
  child: ChildProcess;
  /** Resolves when the process has exited. */
  done: Promise<CliResult>;
  /** Resolves with stderr so far once `pattern` appears in it. */
  stderrMatches(pattern: RegExp): Promise<string>;
}

/**
 * Starts `revela <args>` with only the environment given (plus PATH), `HOME` pointing at `home` so the
 * user's real config is never touched, and `input` written to its standard input.
 */
export function startCli(args: string[], options: { home: string; env?: Record<string, string>; input?: string; cwd?: string }): CliRun {
  const child = spawn(process.execPath, [REVELA_BIN, ...args], {
    cwd: options.cwd ?? process.cwd(),
    env: { PATH: process.env.PATH ?? '', HOME: options.home, ...options.env },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; resolve: (s: string) => void }> = [];
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    for (const waiter of [...waiters]) {
      if (waiter.pattern.test(stderr)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(stderr);
      }
    }
  });
  child.stdin.end(options.input ?? '');
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrMatches: (pattern) =>
      new Promise((resolve, reject) => {
        if (pattern.test(stderr)) return resolve(stderr);
        waiters.push({ pattern, resolve });
        void done.then((result) => reject(new Error(`revela exited (${result.code}) before printing ${pattern}:\n${result.stderr}`)));
      }),
  };
}

export function runCli(
  args: string[],
  options: { home: string; env?: Record<string, string>; input?: string; cwd?: string },
): Promise<CliResult> {
  return startCli(args, options).done;
}
