import type { RawInfo } from './types.js';

/**
 * How WasmRawDecoder talks to its child process (wasm-child.ts). The child gets the RAW file as its
 * stdin and `<op> <whiteBalance> <needLongEdge>` as arguments, and answers on stdout with one line of
 * JSON (a WasmHeader), then `bytes` bytes of payload: 16-bit (or 8-bit) RGB pixels, or the preview JPEG.
 */
export type WasmOp = 'decode' | 'preview';

/** RawInfo as it crosses the process boundary: the timestamp travels as an ISO string. */
export type WasmInfo = Omit<RawInfo, 'timestamp'> & { timestamp?: string };

export type WasmHeader =
  | { ok: false; stage: 'open' | 'unpack' | 'output'; message: string }
  | {
      ok: true;
      op: 'decode';
      width: number;
      height: number;
      bits: number;
      colors: number;
      halfSize: boolean;
      info: WasmInfo;
      bytes: number;
    }
  | { ok: true; op: 'preview'; width?: number; height?: number; info: WasmInfo; bytes: number };
