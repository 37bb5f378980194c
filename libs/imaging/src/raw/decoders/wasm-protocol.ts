/** Messages between WasmRawDecoder and its worker thread. */
export type WasmRequest =
  | { id: number; op: 'decode'; path: string; whiteBalance: 'camera' | 'auto'; needLongEdge: number | 'original'}
  | { id: number; op: 'preview'; path: string};

export interface WasmInfo {
  make?: string;
  model?: string;
  width: number;
  height: number;
  cfa: boolean;
  iso?: number;
  exposureTime?: number;
  fNumber?: number;
  focalLength?: number;
  timestamp?: string;
  artist?: string;
  thumbWidth?: number;
  thumbHeight?: number;
}

export type WasmReply =
  | { id: number; ok: false; stage: 'open' | 'unpack' | 'output'; message: string }
  | { id: number; ok: true; op: 'decode'; width: number; height: number; bits: number; colors: number; halfSize: boolean; data: Uint16Array | Uint8Array; info: WasmInfo }
  | { id: number; ok: true; op: 'preview'; jpeg: Uint8Array | null; width?: number; height?: number; info: WasmInfo };
