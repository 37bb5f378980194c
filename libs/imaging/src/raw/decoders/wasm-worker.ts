/**
 * Worker thread hosting LibRaw compiled to WebAssembly (npm `libraw-wasm`, LibRaw 0.22).
 * The package's own entry point needs a browser (Web Worker + fetch); its Emscripten module
 * (`dist/libraw.js`) runs in Node when given the wasm bytes directly.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type { WasmReply, WasmRequest } from './wasm-protocol.js';

interface LibRawInstance {
  open(data: Uint8Array, settings: Record<string, unknown>): void;
  metadata(full: boolean): Record<string, unknown> | undefined;
  imageData(): { width: number; height: number; colors: number; bits: number; data: Uint16Array | Uint8Array } | undefined;
  thumbnailData(): { data: Uint8Array; width: number; height: number; format: string } | undefined;
  delete?(): void;
}
interface LibRawModule {
  LibRaw: new () => LibRawInstance;
}

const port = parentPort;
if (!port) throw new Error('wasm-worker must run in a worker thread');

const distDir = path.dirname(createRequire(import.meta.url).resolve('libraw-wasm'));
const lastStderr: string[] = [];
const modulePromise: Promise<LibRawModule> = (async () => {
  const factory = (await import(pathToFileURL(path.join(distDir, 'libraw.js')).href)).default as (o: object) => Promise<LibRawModule>;
  const wasmBinary = await readFile(path.join(distDir, 'libraw.wasm'));
  return factory({
    wasmBinary,
    print: () => {},
    printErr: (s: string) => {
      lastStderr.push(s);
      if (lastStderr.length > 20) lastStderr.shift();
    },
  });
})();

function describe(e: unknown): string {
  if (e instanceof Error) return e.message;
  // C++ exceptions surface as opaque objects ({ excPtr }) in this build.
  const stderr = lastStderr.splice(0).join('; ').trim();
  return stderr || 'LibRaw threw an exception';
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) && v > 0 ? v : undefined;
}
function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.trim() ? v.trim() : undefined;
}

port.on('message', async (req: WasmRequest) => {
  let lr: LibRawInstance | undefined;
  const reply = (r: WasmReply, transfer: ArrayBuffer[] = []) => port.postMessage(r, transfer);
  try {
    const M = await modulePromise;
    const bytes = new Uint8Array(await readFile(req.path));
    lr = new M.LibRaw();
    lastStderr.length = 0;
    // Open once without half-size to read the sizes; settings are applied again by the second open.
    try {
      lr.open(bytes, {});
    } catch (e) {
      reply({ id: req.id, ok: false, stage: 'open', message: describe(e) });
      return;
    }
    const meta = lr.metadata(true) ?? {};
    const width = num(meta.width) ?? 0;
    const height = num(meta.height) ?? 0;
    const flip = num(meta.flip) ?? 0;
    const oriented = flip >= 5 ? { w: height, h: width } : { w: width, h: height };
    const info = {
      make: str(meta.camera_make),
      model: str(meta.camera_model),
      width: oriented.w,
      height: oriented.h,
      cfa: typeof meta.filters === 'number' && meta.filters !== 0,
      iso: num(meta.iso_speed),
      exposureTime: num(meta.shutter),
      fNumber: num(meta.aperture),
      focalLength: num(meta.focal_len),
      timestamp: num(meta.timestamp) ? new Date((meta.timestamp as number) * 1000).toISOString() : undefined,
      artist: str(meta.artist),
      thumbWidth: num(meta.thumb_width),
      thumbHeight: num(meta.thumb_height),
    };
    if (req.op === 'preview') {
      let thumb: ReturnType<LibRawInstance['thumbnailData']>;
      try {
        thumb = lr.thumbnailData();
      } catch {
        thumb = undefined;
      }
      if (!thumb || thumb.format !== 'jpeg' || !thumb.data?.length) {
        reply({ id: req.id, ok: true, op: 'preview', jpeg: null, info });
        return;
      }
      const jpeg = new Uint8Array(thumb.data); // own copy, transferable
      reply({ id: req.id, ok: true, op: 'preview', jpeg, width: thumb.width, height: thumb.height, info }, [jpeg.buffer]);
      return;
    }
    const halfLong = Math.floor(Math.max(oriented.w, oriented.h) / 2);
    const half = req.needLongEdge !== 'original' && info.cfa && req.needLongEdge <= halfLong;
    lr.delete?.();
    lr = new M.LibRaw();
    lr.open(bytes, {
      useCameraWb: req.whiteBalance === 'camera',
      useAutoWb: req.whiteBalance === 'auto',
      outputBps: 16,
      outputColor: 1,
      halfSize: half,
    });
    let img: ReturnType<LibRawInstance['imageData']>;
    try {
      img = lr.imageData();
    } catch (e) {
      reply({ id: req.id, ok: false, stage: 'unpack', message: describe(e) });
      return;
    }
    if (!img || !img.data?.length) {
      reply({ id: req.id, ok: false, stage: 'output', message: 'LibRaw returned no image data' });
      return;
    }
    const data = img.data.buffer instanceof ArrayBuffer ? img.data : img.data.slice();
    reply(
      { id: req.id, ok: true, op: 'decode', width: img.width, height: img.height, bits: img.bits, colors: img.colors, halfSize: half, data, info },
      [data.buffer as ArrayBuffer],
    );
  } catch (e) {
    reply({ id: req.id, ok: false, stage: 'open', message: describe(e) });
  } finally {
    try {
      lr?.delete?.();
    } catch {
      // ignore
    }
  }
});
