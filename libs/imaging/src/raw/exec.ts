import { spawn } from 'node:child_process';
import { access, constants } from 'node:fs/promises';
import path from 'node:path';

const lookups = new Map<string, Promise<string | null>>();

/**
 * Absolute path of an executable (PATH lookup, cached per name); paths are only checked for being
 * executable. Always absolute: sandboxed children get no PATH and run in another directory.
 */
export function findExecutable(name: string): Promise<string | null> {
  let p = lookups.get(name);
  if (!p) {
    p = lookup(name);
    lookups.set(name, p);
  }
  return p;
}

async function lookup(name: string): Promise<string | null> {
  const candidates = name.includes('/')
    ? [path.resolve(name)]
    : (process.env.PATH ?? '')
        .split(path.delimiter)
        .filter(Boolean)
        .map((dir) => path.resolve(dir, name));
  for (const c of candidates) {
    try {
      await access(c, constants.X_OK);
      return c;
    } catch {
      // keep looking
    }
  }
  return null;
}

export interface RunResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: Buffer;
  stderr: string;
  /** Set when we killed the child: it ran too long, or wrote more than maxStdoutBytes. */
  stopped?: 'timeout' | 'stdout-limit';
}

export interface RunOptions {
  timeoutMs?: number;
  cwd?: string;
  /** Kill the child (SIGKILL) once its stdout exceeds this many bytes. */
  maxStdoutBytes?: number;
  /** An open file descriptor to use as the child's stdin (default: none). */
  stdinFd?: number;
  /** The child's whole environment. Default: empty; nothing of ours is inherited. */
  env?: NodeJS.ProcessEnv;
}

/** Stderr is kept to its tail: a hostile child can write without end. */
const MAX_STDERR_BYTES = 64 * 1024;

/** Run a program, collecting stdout as bytes and stderr as text. Never rejects on a non-zero exit. */
export function run(file: string, args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve, reject) => {
    // Its own process group, so that whatever it started dies with it.
    const child = spawn(file, args, {
      cwd: opts.cwd,
      env: opts.env ?? {},
      detached: true,
      stdio: [opts.stdinFd ?? 'ignore', 'pipe', 'pipe'],
    });
    const killGroup = () => {
      try {
        if (child.pid) process.kill(-child.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    };
    const out: Buffer[] = [];
    let outBytes = 0;
    let err = Buffer.alloc(0);
    let stopped: RunResult['stopped'];
    const stop = (why: NonNullable<RunResult['stopped']>) => {
      stopped ??= why;
      killGroup();
    };
    child.stdout!.on('data', (c: Buffer) => {
      if (stopped) return;
      outBytes += c.length;
      if (opts.maxStdoutBytes !== undefined && outBytes > opts.maxStdoutBytes) stop('stdout-limit');
      else out.push(c);
    });
    child.stderr!.on('data', (c: Buffer) => {
      err = Buffer.concat([err, c]);
      if (err.length > MAX_STDERR_BYTES) err = err.subarray(err.length - MAX_STDERR_BYTES);
    });
    const timer = opts.timeoutMs ? setTimeout(() => stop('timeout'), opts.timeoutMs) : undefined;
    child.on('error', (e) => {
      if (timer) clearTimeout(timer);
      reject(e);
    });
    child.on('exit', killGroup);
    child.on('close', (code, signal) => {
      if (timer) clearTimeout(timer);
      resolve({ code, signal, stdout: Buffer.concat(out), stderr: err.toString('utf8'), stopped });
    });
  });
}
