import type { RawInfo } from './types.js';

/** Messages between WasmRawDecoder and its worker thread. */
export type WasmRequest =
  | { id: number; op: 'decode'; path: string; whiteBalance: 'camera' | 'auto'; needLongEdge: number | 'original'}
  | { id: number; op: 'preview'; path: string};

/** RawInfo as it crosses the thread boundary: the timestamp travels as an ISO string. */
export type WasmInfo = Omit<RawInfo, 'timestamp'> & { timestamp?: string };

export type WasmReply =
  | { id: number; ok: false; stage: 'open' | 'unpack' | 'output'; message: string }
  | { id: number; ok: true; op: 'decode'; width: number; height: number; bits: number; colors: number; halfSize: boolean; data: Uint16Array | Uint8Array; info: WasmInfo }
  | { id: number; ok: true; op: 'preview'; jpeg: Uint8Array | null; width?: number; height?: number; info: WasmInfo };
