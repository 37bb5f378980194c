import { Worker } from 'node:worker_threads';
import { DecoderFailure } from '../errors.js';
import type { WasmInfo, WasmReply, WasmRequest } from './wasm-protocol.js';
import type { DecodeRequest, DecodedRaw, EmbeddedPreview, RawDecoder, RawInfo } from './types.js';

type Pending = { resolve: (r: WasmReply) => void; reject: (e: Error) => void };
type RequestBody = WasmRequest extends infer R ? (R extends WasmRequest ? Omit<R, 'id'> : never) : never;

export interface WasmDecoderOptions {
  /** Override the worker script (tests); defaults to wasm-worker.js next to this module. */
  workerUrl?: URL;
  /** Restart the worker after this many requests, bounding wasm heap growth. Default 200. */
  recycleAfter?: number;
}

/**
 * LibRaw 0.22 compiled to WebAssembly, run in one long-lived worker thread. Requests are handled one
 * at a time (LibRaw wasm is single-threaded); the worker is unref'd while idle so it never keeps the
 * process alive, and it is recycled after a C++ exception, whose memory Emscripten cannot reclaim.
 */
export class WasmRawDecoder implements RawDecoder {
  readonly name = 'libraw-wasm' as const;
  private worker: Worker | null = null;
  private readonly pending = new Map<Worker, Map<number, Pending>>();
  private nextId = 1;
  private served = 0;
  private readonly workerUrl: URL;
  private readonly recycleAfter: number;

  constructor(opts: WasmDecoderOptions = {}) {
    this.workerUrl = opts.workerUrl ?? new URL('./wasm-worker.js', import.meta.url);
    this.recycleAfter = opts.recycleAfter ?? 200;
  }

  async available(): Promise<boolean> {
    return true;
  }

  private ensureWorker(): Worker {
    if (this.worker) return this.worker;
    const w = new Worker(this.workerUrl);
    const pending = new Map<number, Pending>();
    this.pending.set(w, pending);
    w.on('message', (r: WasmReply) => {
      const p = pending.get(r.id);
      if (!p) return;
      pending.delete(r.id);
      if (pending.size === 0) w.unref();
      p.resolve(r);
    });
    const fail = (err: Error) => {
      if (this.worker === w) this.worker = null;
      this.pending.delete(w);
      for (const p of pending.values()) p.reject(err);
      pending.clear();
    };
    w.on('error', (e) => fail(new DecoderFailure(this.name, 'unavailable', `libraw-wasm worker crashed: ${e.message}`)));
    w.on('exit', (code) => fail(new DecoderFailure(this.name, 'unavailable', `libraw-wasm worker exited (${code})`)));
    w.unref();
    this.worker = w;
    this.served = 0;
    return w;
  }

  private async call(body: RequestBody): Promise<WasmReply> {
    const w = this.ensureWorker();
    const pending = this.pending.get(w)!;
    const id = this.nextId++;
    const reply = await new Promise<WasmReply>((resolve, reject) => {
      pending.set(id, { resolve, reject });
      w.ref();
      w.postMessage({ ...body, id });
    });
    this.served++;
    if ((!reply.ok && reply.stage !== 'open') || this.served >= this.recycleAfter) this.recycle(w);
    return reply;
  }

  private recycle(w: Worker): void {
    if (this.worker !== w) return;
    this.worker = null;
    // Requests already queued on the old worker finish first.
    const pending = this.pending.get(w);
    const finish = () => {
      if (!pending || pending.size === 0) void w.terminate();
      else setTimeout(finish, 250).unref();
    };
    finish();
  }

  async decode(filePath: string, req: DecodeRequest): Promise<DecodedRaw> {
    const r = await this.call({ op: 'decode', path: filePath, whiteBalance: req.whiteBalance, needLongEdge: req.needLongEdge });
    if (!r.ok) throw new DecoderFailure(this.name, r.stage, r.message);
    if (r.op !== 'decode') throw new DecoderFailure(this.name, 'output', 'unexpected worker reply');
    if (r.colors !== 3) throw new DecoderFailure(this.name, 'output', `unexpected ${r.colors}-channel output`);
    const data = Buffer.from(r.data.buffer, r.data.byteOffset, r.data.byteLength);
    return {
      decoder: this.name,
      pixels: { kind: 'raw', data, width: r.width, height: r.height, channels: 3, depth: r.bits === 16 ? 'ushort' : 'uchar' },
      width: r.width,
      height: r.height,
      halfSize: r.halfSize,
      info: toInfo(r.info),
      warnings: [],
    };
  }

  async extractPreview(filePath: string): Promise<EmbeddedPreview | null> {
    const r = await this.call({ op: 'preview', path: filePath });
    if (!r.ok || r.op !== 'preview' || !r.jpeg) return null;
    return {
      jpeg: Buffer.from(r.jpeg.buffer, r.jpeg.byteOffset, r.jpeg.byteLength),
      width: r.width ?? 0,
      height: r.height ?? 0,
      extractor: 'libraw-wasm',
    };
  }

  /** Stop the worker (graceful shutdown). A later call starts a new one. */
  async close(): Promise<void> {
    const w = this.worker;
    this.worker = null;
    if (w) await w.terminate();
  }
}

function toInfo(i: WasmInfo): RawInfo {
  const { timestamp, ...rest } = i;
  return { ...rest, timestamp: timestamp ? new Date(timestamp) : undefined };
}
