/**
 * Child process hosting LibRaw compiled to WebAssembly (npm `libraw-wasm`, LibRaw 0.22), one file per
 * process, started by WasmRawDecoder inside the sandbox. Protocol: see wasm-protocol.ts.
 * The package's own entry point needs a browser (Web Worker + fetch); its Emscripten module
 * (`dist/libraw.js`) runs in Node when given the wasm bytes directly.
 */
import { readFileSync, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { WasmHeader, WasmInfo, WasmOp } from './wasm-protocol.js';
import { FULL_SIZE_DEMOSAIC } from './types.js';

interface LibRawInstance {
  open(data: Uint8Array, settings: Record<string, unknown>): void;
  metadata(full: boolean): Record<string, unknown> | undefined;
  imageData(): { width: number; height: number; colors: number; bits: number; data: Uint16Array | Uint8Array } | undefined;
  thumbnailData(): { data: Uint8Array; width: number; height: number; format: string } | undefined;
}
interface LibRawModule {
  LibRaw: new () => LibRawInstance;
}

const lastStderr: string[] = [];

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

function writeAll(data: Uint8Array): void {
  for (let off = 0; off < data.length;) off += writeSync(1, data, off);
}

function reply(header: WasmHeader, payload?: Uint8Array): void {
  // Padded so that the payload starts 8-byte aligned in the parent's buffer (it views 16-bit pixels in place).
  const json = JSON.stringify(header);
  writeAll(Buffer.from(json.padEnd(Math.ceil((json.length + 1) / 8) * 8 - 1) + '\n'));
  if (payload) writeAll(payload);
}

async function loadLibRaw(): Promise<LibRawModule> {
  const distDir = path.dirname(createRequire(import.meta.url).resolve('libraw-wasm'));
  const { default: factory } = (await import(pathToFileURL(path.join(distDir, 'libraw.js')).href)) as {
    default: (o: object) => Promise<LibRawModule>;
  };
  return factory({
    wasmBinary: readFileSync(path.join(distDir, 'libraw.wasm')),
    print: () => {},
    printErr: (s: string) => {
      lastStderr.push(s);
      if (lastStderr.length > 20) lastStderr.shift();
    },
  });
}

function develop(M: LibRawModule, bytes: Uint8Array, op: WasmOp, whiteBalance: string, needLongEdge: number | 'original'): void {
  let lr = new M.LibRaw();
  // Open once without half-size to read the sizes; settings are applied by the second open.
  try {
    lr.open(bytes, {});
  } catch (e) {
    reply({ ok: false, stage: 'open', message: describe(e) });
    return;
  }
  const meta = lr.metadata(true) ?? {};
  const width = num(meta.width) ?? 0;
  const height = num(meta.height) ?? 0;
  const flip = num(meta.flip) ?? 0;
  const oriented = flip >= 5 ? { w: height, h: width } : { w: width, h: height };
  const info: WasmInfo = {
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
  if (op === 'preview') {
    let thumb: ReturnType<LibRawInstance['thumbnailData']>;
    try {
      thumb = lr.thumbnailData();
    } catch {
      thumb = undefined;
    }
    if (!thumb || thumb.format !== 'jpeg' || !thumb.data?.length) {
      reply({ ok: true, op: 'preview', info, bytes: 0 });
      return;
    }
    reply({ ok: true, op: 'preview', width: thumb.width, height: thumb.height, info, bytes: thumb.data.byteLength }, thumb.data);
    return;
  }
  const halfLong = Math.floor(Math.max(oriented.w, oriented.h) / 2);
  const half = needLongEdge !== 'original' && info.cfa && needLongEdge <= halfLong;
  lr = new M.LibRaw();
  lr.open(bytes, {
    useCameraWb: whiteBalance === 'camera',
    useAutoWb: whiteBalance === 'auto',
    outputBps: 16,
    outputColor: 1,
    halfSize: half,
    userQual: FULL_SIZE_DEMOSAIC,
  });
  let img: ReturnType<LibRawInstance['imageData']>;
  try {
    img = lr.imageData();
  } catch (e) {
    reply({ ok: false, stage: 'unpack', message: describe(e) });
    return;
  }
  if (!img || !img.data?.length) {
    reply({ ok: false, stage: 'output', message: 'LibRaw returned no image data' });
    return;
  }
  const data = new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.byteLength);
  reply(
    {
      ok: true,
      op: 'decode',
      width: img.width,
      height: img.height,
      bits: img.bits,
      colors: img.colors,
      halfSize: half,
      info,
      bytes: data.byteLength,
    },
    data,
  );
}

const [op, whiteBalance = 'camera', need = 'original'] = process.argv.slice(2);
if (op !== 'decode' && op !== 'preview') {
  process.stderr.write('usage: wasm-child.js decode|preview [camera|auto] [needLongEdge|original] < file\n');
  process.exit(2);
}
const M = await loadLibRaw();
try {
  develop(M, readFileSync(0), op, whiteBalance, need === 'original' ? 'original' : Number(need));
} catch (e) {
  reply({ ok: false, stage: 'open', message: describe(e) });
}
