/**
 * The sandbox the RAW decoders run in. They parse untrusted files, so every decoder process gets:
 * - an empty environment (nothing of ours: no PATH, no credentials, no tokens), always;
 * - kernel resource limits via util-linux `prlimit`: address space, CPU time, file size, no core dumps;
 * - no network via `unshare --net` (as root) or `unshare --map-root-user --net` (otherwise);
 * - when we are root, an unprivileged user via `setpriv` (nobody, no supplementary groups, no new privileges);
 * - a cap on the bytes read from its stdout and a wall-clock timeout, enforced here, always.
 * What works is detected once by trying it (the platform may lack a tool or forbid namespaces), and the
 * wrapper argv is built from the result. Anything missing is named in one process warning.
 */
import { chmod, chown, copyFile, link, mkdtemp, rm, symlink } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { findExecutable, run, type RunResult } from './exec.js';

export interface SandboxLimits {
  /** RLIMIT_AS, bytes. */
  addressSpaceBytes: number;
  /** RLIMIT_DATA, bytes: writable private memory. Bounds memory where the address space cannot (see WASM_LIMITS). */
  dataBytes?: number;
  /** RLIMIT_CPU, seconds: SIGXCPU at the limit, SIGKILL two seconds later. */
  cpuSeconds: number;
  /** RLIMIT_FSIZE, bytes: the largest file the tool may write. */
  fileSizeBytes: number;
  /** Enforced here: the tool is killed once its stdout exceeds this. */
  stdoutBytes: number;
}

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;

/**
 * For LibRaw's command-line tools. 4 GiB of address space decodes a 100 MP sensor at full size; a 16-bit
 * TIFF of a 150 MP sensor is about 900 MB of stdout. The CPU limit is cumulative over the tool's
 * threads, hence well above the wall-clock timeout of a decode.
 */
export const DEFAULT_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  addressSpaceBytes: 4 * GiB,
  cpuSeconds: 240,
  fileSizeBytes: 256 * MiB,
  stdoutBytes: 1 * GiB,
});

/**
 * For Node running LibRaw compiled to WebAssembly. V8 reserves about 10 GiB of address space (guard
 * regions) for every wasm memory and Node 20 cannot turn that off, so RLIMIT_AS only catches runaways
 * here; RLIMIT_DATA bounds what it may really use (the module's own maximum is 2 GiB).
 */
export const WASM_LIMITS: Readonly<SandboxLimits> = Object.freeze({
  ...DEFAULT_LIMITS,
  addressSpaceBytes: 16 * GiB,
  dataBytes: 4 * GiB,
});

/** Which protections are active; the worker logs this at start. */
export interface SandboxProtections {
  /** Always: decoder processes get an empty environment. */
  environment: 'empty';
  /** Kernel resource limits (prlimit): address space, CPU time, file size, no core dumps. */
  resourceLimits: boolean;
  /** How the network is cut off, or null when it is not. */
  network: 'unshare --net' | 'unshare --map-root-user --net' | null;
  /** The unprivileged user decoders run as, or null when they run as this process does. */
  user: { uid: number; gid: number; name: string; group: string } | null;
  /** Always: stdout cap and wall-clock timeout, enforced by the parent. */
  outputCap: true;
  /** What could not be enabled on this machine, readable. Empty when everything is on. */
  missing: string[];
}

export interface SandboxOptions {
  /** Paths (or names looked up on PATH) of the wrappers; tests point them at nothing to see the fallback. */
  prlimit?: string;
  unshare?: string;
  setpriv?: string;
  /** The unprivileged user, and the group names to try for it. Default nobody, nogroup or nobody. */
  user?: string;
  groups?: string[];
  /** Where inputs are staged for the unprivileged user (must be traversable by it). Default os.tmpdir(). */
  tmpDir?: string;
}

export interface StagedInput {
  /** The path to hand to the tool. */
  path: string;
  /** A private directory the tool may write into (and its working directory). */
  dir: string;
  dispose(): Promise<void>;
}

export interface SandboxRunOptions {
  limits: SandboxLimits;
  timeoutMs: number;
  cwd?: string;
  stdinFd?: number;
}

export class Sandbox {
  private constructor(
    readonly protections: Readonly<SandboxProtections>,
    private readonly prlimit: string | null,
    private readonly unshareArgv: string[] | null,
    private readonly setprivArgv: string[] | null,
    private readonly tmpDir: string,
  ) {}

  /** Try each protection once with a trivial command and keep what works. Warns once when something is missing. */
  static async detect(opts: SandboxOptions = {}): Promise<Sandbox> {
    const root = process.getuid?.() === 0;
    const [prlimit, unshare, setpriv] = await Promise.all([
      findExecutable(opts.prlimit ?? 'prlimit'),
      findExecutable(opts.unshare ?? 'unshare'),
      findExecutable(opts.setpriv ?? 'setpriv'),
    ]);
    const missing: string[] = [];

    const limitsWork = prlimit !== null && (await probe([prlimit, ...rlimitArgs(DEFAULT_LIMITS), '--'])) !== null;
    if (!limitsWork) missing.push(`resource limits (${prlimit ? 'prlimit failed' : 'prlimit not found'})`);

    // As root the namespace is made directly; otherwise only inside a user namespace. The two cannot be
    // swapped: setpriv cannot switch to nobody inside a user namespace that maps only our own uid.
    const network: SandboxProtections['network'] = root ? 'unshare --net' : 'unshare --map-root-user --net';
    const unshareArgv = unshare ? [unshare, ...network.split(' ').slice(1), '--'] : null;
    const networkWorks = unshareArgv !== null && (await probe(unshareArgv)) !== null;
    if (!networkWorks) missing.push(`network isolation (${unshare ? `${network} is not permitted here` : 'unshare not found'})`);

    let user: SandboxProtections['user'] = null;
    let setprivArgv: string[] | null = null;
    const name = opts.user ?? 'nobody';
    for (const group of root && setpriv ? (opts.groups ?? ['nogroup', 'nobody']) : []) {
      // Probed inside the namespace, as it will run.
      const argv = [setpriv!, `--reuid=${name}`, `--regid=${group}`, '--clear-groups', '--no-new-privs', '--'];
      const ids = await probe(
        [...(networkWorks ? unshareArgv : []), ...argv],
        'process.stdout.write(JSON.stringify([process.getuid(), process.getgid()]))',
      );
      const [uid, gid] = ids ? (JSON.parse(ids) as [number, number]) : [0, 0];
      if (uid !== 0) {
        user = { uid, gid, name, group };
        // Numeric ids: no user database lookups inside the sandbox on every run.
        setprivArgv = [setpriv!, `--reuid=${uid}`, `--regid=${gid}`, '--clear-groups', '--no-new-privs', '--'];
        break;
      }
    }
    if (root && !user)
      missing.push(`an unprivileged user (${setpriv ? `setpriv could not switch to ${name}` : 'setpriv not found'}); decoders run as root`);

    const protections: SandboxProtections = {
      environment: 'empty',
      resourceLimits: limitsWork,
      network: networkWorks ? network : null,
      user,
      outputCap: true,
      missing,
    };
    if (missing.length > 0) {
      process.emitWarning(`RAW decoders run with fewer protections; missing: ${missing.join('; ')}`, { type: 'RevelaSandboxWarning' });
    }
    return new Sandbox(
      Object.freeze(protections),
      limitsWork ? prlimit : null,
      networkWorks ? unshareArgv : null,
      setprivArgv,
      opts.tmpDir ?? os.tmpdir(),
    );
  }

  /** One line for logs. */
  describe(): string {
    const p = this.protections;
    const on = [
      'empty environment',
      ...(p.resourceLimits ? ['resource limits (prlimit)'] : []),
      ...(p.network ? [`no network (${p.network})`] : []),
      ...(p.user ? [`user ${p.user.name} (${p.user.uid}:${p.user.gid})`] : []),
      'stdout cap and timeout',
    ];
    return `active: ${on.join(', ')}` + (p.missing.length ? `; missing: ${p.missing.join('; ')}` : '');
  }

  /** The argv that runs `file args` inside the sandbox. */
  command(file: string, args: string[], limits: SandboxLimits): { file: string; args: string[] } {
    const argv = [
      ...(this.prlimit ? [this.prlimit, ...rlimitArgs(limits), '--'] : []),
      ...(this.unshareArgv ?? []),
      ...(this.setprivArgv ?? []),
      file,
      ...args,
    ];
    return { file: argv[0], args: argv.slice(1) };
  }

  /** Run an absolute-path program in the sandbox, with an empty environment. */
  run(file: string, args: string[], opts: SandboxRunOptions): Promise<RunResult> {
    const c = this.command(file, args, opts.limits);
    return run(c.file, c.args, {
      env: {},
      cwd: opts.cwd ?? '/',
      timeoutMs: opts.timeoutMs,
      maxStdoutBytes: opts.limits.stdoutBytes,
      stdinFd: opts.stdinFd,
    });
  }

  /**
   * Make a file readable by the sandboxed tool, in a private directory it may also write into. The
   * unprivileged user cannot see into the caller's directories (the worker's scratch dir is 0700), and
   * LibRaw's tools open a path (no fd or stdin), so that user gets a read-only hard link (a copy
   * across file systems); otherwise a symlink does.
   */
  async stage(filePath: string): Promise<StagedInput> {
    const dir = await mkdtemp(path.join(this.tmpDir, 'revela-decode-'));
    const staged = path.join(dir, 'input' + path.extname(filePath));
    const dispose = () => rm(dir, { recursive: true, force: true });
    try {
      const user = this.protections.user;
      if (user) {
        await shareReadOnly(filePath, staged, user);
        await chown(dir, user.uid, user.gid);
      } else {
        await symlink(path.resolve(filePath), staged);
      }
    } catch (e) {
      await dispose();
      throw e;
    }
    return { path: staged, dir, dispose };
  }

  /**
   * Why a sandboxed run ended abnormally, as a phrase that follows the tool's name ("dcraw_emu was …"),
   * or null when it exited on its own. `limit` is true when a sandbox limit (rather than a crash) ended it.
   */
  describeStop(r: RunResult, limits: SandboxLimits, timeoutMs: number): { reason: string; limit: boolean } | null {
    if (r.stopped === 'stdout-limit')
      return { reason: `stopped: its output exceeded the ${formatBytes(limits.stdoutBytes)} limit`, limit: true };
    if (r.stopped === 'timeout') return { reason: `stopped: it ran longer than ${formatSeconds(timeoutMs / 1000)}`, limit: true };
    const cpu = formatSeconds(limits.cpuSeconds);
    switch (r.signal) {
      case null:
        return null;
      case 'SIGXCPU':
        return { reason: `killed: it used up its CPU time limit (${cpu})`, limit: true };
      case 'SIGKILL':
        return this.protections.resourceLimits
          ? { reason: `killed (SIGKILL): CPU time limit (${cpu}) reached, or out of memory`, limit: true }
          : { reason: 'killed (SIGKILL), probably out of memory', limit: true };
      case 'SIGXFSZ':
        return { reason: `killed: it tried to write a file over the ${formatBytes(limits.fileSizeBytes)} limit`, limit: true };
      default:
        return { reason: `killed by ${r.signal} (it crashed)`, limit: false };
    }
  }
}

function rlimitArgs(l: SandboxLimits): string[] {
  return [
    `--as=${l.addressSpaceBytes}`,
    ...(l.dataBytes !== undefined ? [`--data=${l.dataBytes}`] : []),
    `--cpu=${l.cpuSeconds}:${l.cpuSeconds + 2}`,
    `--fsize=${l.fileSizeBytes}`,
    '--core=0',
  ];
}

/** Run prefix + node -e script with an empty environment; its stdout, or null when it did not exit 0. */
/**
 * Lets the unprivileged user read `source` at `target` without copying it (a 50 MB copy per file
 * was a fifth of a sandboxed decode): a hard link whose inode stays root's and becomes read-only,
 * so the tool can read it but never change the worker's file. Across file systems, a copy it owns.
 */
async function shareReadOnly(source: string, target: string, user: { uid: number; gid: number }): Promise<void> {
  try {
    await link(source, target);
    await chmod(target, 0o444);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EXDEV') throw err;
    await copyFile(source, target);
    await chown(target, user.uid, user.gid);
  }
}

async function probe(prefix: string[], script = ''): Promise<string | null> {
  const argv = [...prefix, process.execPath, '-e', script];
  try {
    const r = await run(argv[0], argv.slice(1), { env: {}, cwd: '/', timeoutMs: 15_000, maxStdoutBytes: 4096 });
    return r.code === 0 ? r.stdout.toString('utf8') : null;
  } catch {
    return null;
  }
}

let shared: Promise<Sandbox> | undefined;

/** The process-wide sandbox, detected on first use. */
export function defaultSandbox(): Promise<Sandbox> {
  shared ??= Sandbox.detect();
  return shared;
}

function formatBytes(n: number): string {
  if (n >= GiB && n % GiB === 0) return `${n / GiB} GiB`;
  if (n >= MiB) return `${+(n / MiB).toFixed(1)} MiB`;
  if (n >= 1024) return `${+(n / 1024).toFixed(1)} KiB`;
  return `${n} bytes`;
}

function formatSeconds(s: number): string {
  return `${+s.toFixed(1)} s`;
}
