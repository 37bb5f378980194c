import { open } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { DecoderFailure } from '../errors.js';
import type { RunResult } from '../exec.js';
import { WASM_LIMITS, defaultSandbox, type Sandbox, type SandboxLimits } from '../sandbox.js';
import type { WasmHeader, WasmInfo, WasmOp } from './wasm-protocol.js';
import type { DecodeRequest, DecodedRaw, EmbeddedPreview, RawDecoder, RawInfo } from './types.js';

export interface WasmDecoderOptions {
  /** Override the child script (tests); defaults to wasm-child.js next to this module. */
  childUrl?: URL;
  /** Wall-clock limit of one run. Default 120 s. */
  timeoutMs?: number;
  /** Resource limits of the child (defaults: WASM_LIMITS). */
  limits?: Partial<SandboxLimits>;
  /** The sandbox the child runs in. Default: the process-wide one, detected on first use. */
  sandbox?: Sandbox;
}

/**
 * LibRaw 0.22 compiled to WebAssembly, run in a sandboxed Node child process, one per file.
 *
 * Why a child process and not a worker thread: a worker shares our process, so `env: {}` and
 * `resourceLimits` (V8 heap only; wasm memory is outside it) are all it could get. A process gets the
 * whole sandbox like the native tools (kernel limits on memory and CPU, no network, another user), and
 * no file can leave state behind for the next tenant's file. The price is starting Node and the wasm
 * module per file (0.1-0.3 s here), on the fallback path only. The file is passed as stdin, already open, so
 * the sandbox user needs no access to its directory.
 */
export class WasmRawDecoder implements RawDecoder {
  readonly name = 'libraw-wasm' as const;
  private readonly script: string;
  private readonly timeoutMs: number;
  private readonly limits: SandboxLimits;
  private readonly sandbox: () => Promise<Sandbox>;

  constructor(opts: WasmDecoderOptions = {}) {
    this.script = fileURLToPath(opts.childUrl ?? new URL('./wasm-child.js', import.meta.url));
    this.timeoutMs = opts.timeoutMs ?? 120_000;
    this.limits = { ...WASM_LIMITS, ...opts.limits };
    const given = opts.sandbox;
    this.sandbox = given ? () => Promise.resolve(given) : defaultSandbox;
  }

  available(): Promise<boolean> {
    return Promise.resolve(true);
  }

  private async call(filePath: string, op: WasmOp, args: string[] = []): Promise<{ header: WasmHeader; payload: Buffer }> {
    const sandbox = await this.sandbox();
    const file = await open(filePath, 'r');
    let r: RunResult;
    try {
      // The JS heap holds little (file and pixels live in buffers and wasm memory; RLIMIT_DATA bounds those).
      // --liftoff-only: with one file per process, optimising hot wasm functions costs more than it saves
      // (measured here, fixtures and a 24 MP DNG at full size: less CPU and less wall time than default tiering).
      r = await sandbox.run(process.execPath, ['--max-old-space-size=256', '--liftoff-only', this.script, op, ...args], {
        limits: this.limits,
        timeoutMs: this.timeoutMs,
        stdinFd: file.fd,
      });
    } finally {
      await file.close();
    }
    const stopped = sandbox.describeStop(r, this.limits, this.timeoutMs);
    if (stopped) throw new DecoderFailure(this.name, stopped.limit ? 'limit' : 'unpack', `libraw-wasm was ${stopped.reason}`);
    const nl = r.stdout.indexOf(0x0a);
    let header: WasmHeader | undefined;
    try {
      header = nl > 0 ? (JSON.parse(r.stdout.toString('utf8', 0, nl)) as WasmHeader) : undefined;
    } catch {
      header = undefined;
    }
    if (!header) {
      const last = r.stderr.trim().split('\n').filter(Boolean).slice(-3).join(' ');
      throw new DecoderFailure(this.name, 'unavailable', `libraw-wasm could not run (exit ${r.code}): ${last || 'no output'}`);
    }
    let payload = r.stdout.subarray(nl + 1);
    if (payload.byteOffset % 8 !== 0) payload = Buffer.concat([payload]); // a fresh, aligned copy
    if (header.ok && payload.length !== header.bytes) {
      throw new DecoderFailure(this.name, 'output', `libraw-wasm sent ${payload.length} of ${header.bytes} bytes`);
    }
    return { header, payload };
  }

  async decode(filePath: string, req: DecodeRequest): Promise<DecodedRaw> {
    const { header: h, payload } = await this.call(filePath, 'decode', [req.whiteBalance, String(req.needLongEdge)]);
    if (!h.ok) throw new DecoderFailure(this.name, h.stage, h.message);
    if (h.op !== 'decode') throw new DecoderFailure(this.name, 'output', 'unexpected reply');
    if (h.colors !== 3) throw new DecoderFailure(this.name, 'output', `unexpected ${h.colors}-channel output`);
    return {
      decoder: this.name,
      pixels: { kind: 'raw', data: payload, width: h.width, height: h.height, channels: 3, depth: h.bits === 16 ? 'ushort' : 'uchar' },
      width: h.width,
      height: h.height,
      halfSize: h.halfSize,
      info: toInfo(h.info),
      warnings: [],
    };
  }

  async extractPreview(filePath: string): Promise<EmbeddedPreview | null> {
    const { header: h, payload } = await this.call(filePath, 'preview');
    if (!h.ok || h.op !== 'preview' || h.bytes === 0) return null;
    return { jpeg: payload, width: h.width ?? 0, height: h.height ?? 0, extractor: 'libraw-wasm' };
  }

  /** Nothing to stop: every request is its own short-lived process. Kept for callers' shutdown paths. */
  async close(): Promise<void> {}
}

function toInfo(i: WasmInfo): RawInfo {
  const { timestamp, ...rest } = i;
  return { ...rest, timestamp: timestamp ? new Date(timestamp) : undefined };
}
