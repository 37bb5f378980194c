import type { ExifFields } from '../exif.js';
import type { ColourSettings } from '../preset.js';

/** What a decoder learned about a RAW file without decoding it. */
export interface RawInfo {
  make?: string;
  model?: string;
  /** Output size at full resolution, orientation applied. */
  width: number;
  height: number;
  /** True when the sensor has a colour filter array, i.e. half-size decoding really halves. */
  cfa: boolean;
  iso?: number;
  /** Seconds. */
  exposureTime?: number;
  fNumber?: number;
  focalLength?: number;
  timestamp?: Date;
  artist?: string;
  thumbWidth?: number;
  thumbHeight?: number;
}

export interface DecodeRequest {
  whiteBalance: ColourSettings['whiteBalance'];
  /** Largest long edge any rendition needs; decoders use half-size demosaicing when it still covers this. */
  needLongEdge: number | 'original';
  /**
   * 8 when the preset only resizes and encodes (web outputs are 8-bit anyway: half the data and
   * half the render time); 16 when exposure, contrast, saturation or levels need the headroom.
   * A hint: decoders that only produce 16-bit ignore it.
   */
  bitDepth: 8 | 16;
}

export type DecodedPixels =
  | { kind: 'encoded'; data: Buffer } // e.g. a 16-bit TIFF
  | { kind: 'raw'; data: Buffer; width: number; height: number; channels: 3; depth: 'ushort' | 'uchar' };

export interface DecodedRaw {
  decoder: 'dcraw_emu' | 'libraw-wasm';
  pixels: DecodedPixels;
  width: number;
  height: number;
  halfSize: boolean;
  info: RawInfo | null;
  warnings: string[];
}

export interface EmbeddedPreview {
  jpeg: Buffer;
  width: number;
  height: number;
  /** `tiff-ifd`: read in-process from a TIFF-based RAW's IFDs (`readTiffPreview`). */
  extractor: 'tiff-ifd' | 'simple_dcraw' | 'libraw-wasm';
  /** The RAW's own EXIF, when the preview JPEG carries none (LibRaw's extractors write it into the JPEG). */
  exif?: ExifFields;
}

export interface RawDecoder {
  readonly name: 'dcraw_emu' | 'libraw-wasm';
  available(): Promise<boolean>;
  /** Decode to 16-bit sRGB (gamma-encoded) pixels. Throws DecoderFailure. */
  decode(filePath: string, req: DecodeRequest): Promise<DecodedRaw>;
  /** Largest embedded JPEG preview, or null when there is none. Never throws for a missing preview. */
  extractPreview(filePath: string): Promise<EmbeddedPreview | null>;
}

/** Half-size demosaicing is chosen when every requested long edge fits into half the sensor. */
export function useHalfSize(info: Pick<RawInfo, 'width' | 'height' | 'cfa'> | null, need: number | 'original'): boolean {
  if (!info || need === 'original' || !info.cfa) return false;
  const halfLong = Math.floor(Math.max(info.width, info.height) / 2);
  return need <= halfLong;
}

/**
 * LibRaw's interpolation for full-size decodes (`-q` / `userQual`): PPG. On 24 MP it takes about
 * two thirds of AHD's time (LibRaw's default), and after a 2048 px downscale it is the option
 * closest to AHD on the real camera files (about 39 dB PSNR, SSIM 0.99); see `npm run bench -- fullsize`.
 * Half-size decodes do not interpolate.
 */
export const FULL_SIZE_DEMOSAIC = 2;
