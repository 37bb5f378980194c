import sharp, { type Sharp } from 'sharp';
import { detectBlank, type BlankReport } from './blank.js';
import { NativeRawDecoder, type NativeDecoderOptions } from './decoders/native.js';
import type { DecodedRaw, EmbeddedPreview, RawDecoder } from './decoders/types.js';
import { WasmRawDecoder } from './decoders/wasm.js';
import { DecoderFailure, RawDecodeError } from './errors.js';
import { applyMetadataSettings, type ExifFields, exifFieldsFromBlob, exifFieldsFromRawInfo } from './exif.js';
import { largestLongEdge, type ProcessingPreset } from './preset.js';
import { renderVariants, type RenderedVariant } from './render.js';
import { sniffFile, type SniffResult } from './sniff.js';
import { readTiffPreview } from './tiff-preview.js';

export interface DevelopResult {
  source: 'dcraw_emu' | 'libraw-wasm' | 'embedded-preview' | 'developed-image';
  /** Size of the decoded picture (after orientation, before resizing). */
  width: number;
  height: number;
  variants: RenderedVariant[];
  timings: { decodeMs: number; renderMs: number };
  warnings: string[];
  sniff: SniffResult;
  /** True when the RAW was demosaiced at half size. */
  halfSize: boolean;
}

export interface DevelopOptions {
  /** 'auto': dcraw_emu when installed, libraw-wasm when it is absent or fails. */
  decoder?: 'auto' | 'native' | 'wasm';
  /** Binary names/paths for the native decoder (a new decoder is built when given). */
  native?: NativeDecoderOptions;
  /** Inject decoder instances (tests, or a worker's long-lived set). */
  decoders?: { native?: RawDecoder; wasm?: RawDecoder };
  /** Skip sniffing when the caller already did it. */
  sniff?: SniffResult;
}

/** 16-bit decoding only when colour adjustments would otherwise band in 8 bits. */
export function decodeDepth(preset: ProcessingPreset): 8 | 16 {
  const { exposure, contrast, saturation, autoLevels } = preset.colour;
  return exposure !== 0 || contrast !== 0 || saturation !== 0 || autoLevels ? 16 : 8;
}

/** Previews smaller than this are thumbnails, not a usable substitute for the RAW. */
const MIN_PREVIEW_LONG_EDGE = 320;

let sharedNative: NativeRawDecoder | undefined;
let sharedWasm: WasmRawDecoder | undefined;

/** The process-wide decoders (one long-lived wasm worker). */
export function defaultDecoders(): { native: NativeRawDecoder; wasm: WasmRawDecoder } {
  sharedNative ??= new NativeRawDecoder();
  sharedWasm ??= new WasmRawDecoder();
  return { native: sharedNative, wasm: sharedWasm };
}

/** Stop the shared wasm worker (graceful shutdown). */
export async function closeRawDecoders(): Promise<void> {
  await sharedWasm?.close();
}

async function chooseDecoders(options: DevelopOptions): Promise<RawDecoder[]> {
  const shared = defaultDecoders();
  const native = options.decoders?.native ?? (options.native ? new NativeRawDecoder(options.native) : shared.native);
  const wasm = options.decoders?.wasm ?? shared.wasm;
  switch (options.decoder ?? 'auto') {
    case 'native':
      return [native];
    case 'wasm':
      return [wasm];
    default:
      return (await native.available()) ? [native, wasm] : [wasm];
  }
}

/**
 * Turn one uploaded file (RAW or already-developed image) into the preset's renditions.
 * Throws RawDecodeError with a readable reason when nothing usable can be produced.
 */
export async function developRaw(filePath: string, preset: ProcessingPreset, options: DevelopOptions = {}): Promise<DevelopResult> {
  const t0 = performance.now();
  const sniff = options.sniff ?? (await sniffFile(filePath));
  const warnings: string[] = [];

  if (sniff.developed) {
    try {
      return await developImage(filePath, preset, sniff, warnings, t0);
    } catch (e) {
      if (sniff.kind !== 'tiff') {
        throw new RawDecodeError(`unreadable ${sniff.label} image: ${(e as Error).message}`, 'decode-failed', [(e as Error).message]);
      }
      warnings.push(`sharp could not read the TIFF (${(e as Error).message}); trying LibRaw`);
    }
  }

  const decoders = await chooseDecoders(options);
  const need = largestLongEdge(preset.variants);
  const failures: DecoderFailure[] = [];
  const allowPreview = preset.source !== 'raw';
  let previewCache: Promise<EmbeddedPreview | null> | undefined;
  const preview = () => (previewCache ??= extractPreview(decoders, filePath));

  if (preset.source === 'embedded-preview') {
    const p = await usablePreview(await preview());
    if (p) return developPreview(p.preview, preset, sniff, warnings, t0, null);
    warnings.push('the file has no usable embedded preview; decoded the RAW instead');
  }

  let decoded: DecodedRaw | undefined;
  let blank: BlankReport | undefined;
  for (const d of decoders) {
    try {
      decoded = await d.decode(filePath, { whiteBalance: preset.colour.whiteBalance, needLongEdge: need, bitDepth: decodeDepth(preset) });
      break;
    } catch (e) {
      if (!(e instanceof DecoderFailure)) throw e;
      failures.push(e);
      warnings.push(`${d.name} failed (${e.stage}): ${e.message}`);
    }
  }

  if (decoded) {
    warnings.push(...decoded.warnings);
    blank = await detectBlank(openDecoded(decoded));
    const suspect = blank.blank || (blank.litFraction < 0.15 && blank.meanLevel < 0.05);
    if (!suspect) return developDecoded(decoded, preset, sniff, warnings, t0);
    if (allowPreview) {
      const p = await usablePreview(await preview());
      // A fully black decode always yields to a preview; a merely dark one only to a clearly brighter preview.
      if (p && (blank.blank || p.report.meanLevel > 3 * blank.meanLevel)) {
        warnings.push(
          `${decoded.decoder} decoded a ${blank.blank ? 'blank' : 'nearly black'} image (file probably truncated); used the embedded ${p.preview.width}x${p.preview.height} preview`,
        );
        return developPreview(p.preview, preset, sniff, warnings, t0, decoded);
      }
    }
    if (!blank.blank) {
      warnings.push(`decoded image is very dark (mean ${(blank.meanLevel * 100).toFixed(1)} %); kept as decoded`);
      return developDecoded(decoded, preset, sniff, warnings, t0);
    }
  } else if (allowPreview) {
    const p = await usablePreview(await preview());
    if (p) {
      warnings.push(
        `LibRaw could not decode the RAW data (${failures.map((f) => f.message).join('; ')}); used the embedded ${p.preview.width}x${p.preview.height} preview`,
      );
      return developPreview(p.preview, preset, sniff, warnings, t0, null);
    }
  }

  throw failureError(sniff, failures, blank, allowPreview);
}

function failureError(
  sniff: SniffResult,
  failures: DecoderFailure[],
  blank: BlankReport | undefined,
  allowPreview: boolean,
): RawDecodeError {
  const details = failures.map((f) => `${f.decoder} (${f.stage}): ${f.message}`);
  const tail = allowPreview ? 'and it has no embedded preview' : 'and the preset does not allow the embedded preview';
  if (blank?.blank) {
    return new RawDecodeError(`file is truncated or corrupt: LibRaw decoded it to a blank (black) image ${tail}`, 'truncated', details);
  }
  if (failures.length === 0) return new RawDecodeError('no RAW decoder is available', 'decoder-unavailable', details);
  if (failures.every((f) => f.stage === 'unavailable')) {
    return new RawDecodeError(`no RAW decoder could run: ${failures.map((f) => f.message).join('; ')}`, 'decoder-unavailable', details);
  }
  if (failures.every((f) => f.stage === 'limit' || f.stage === 'unavailable')) {
    return new RawDecodeError(
      `decoding stopped: the RAW decoder exceeded its sandbox limits (${failures
        .filter((f) => f.stage === 'limit')
        .map((f) => f.message)
        .join('; ')})`,
      'decode-failed',
      details,
    );
  }
  if (sniff.gpr) {
    return new RawDecodeError(
      `GoPro GPR (VC-5 compressed DNG) is not supported: LibRaw was built without the GPR SDK and cannot unpack the image data, ${tail}`,
      'unsupported-format',
      details,
    );
  }
  if (failures.some((f) => f.stage === 'unpack' || f.stage === 'output')) {
    return new RawDecodeError(`file is truncated or corrupt: LibRaw could not unpack the image data ${tail}`, 'truncated', details);
  }
  const what =
    sniff.kind === 'unknown'
      ? 'unrecognised file format (no known magic bytes, and not a headerless RAW LibRaw knows by size)'
      : `unsupported ${sniff.label} file: LibRaw could not open it`;
  return new RawDecodeError(what, 'unsupported-format', details);
}

async function extractPreview(decoders: RawDecoder[], filePath: string): Promise<EmbeddedPreview | null> {
  // In-process first: no LibRaw process per file for the many RAWs that are TIFF-based.
  const fromIfds = await readTiffPreview(filePath).catch(() => null);
  if (fromIfds) return fromIfds;
  for (const d of decoders) {
    try {
      const p = await d.extractPreview(filePath);
      if (p) return p;
    } catch {
      // try the next extractor
    }
  }
  return null;
}

async function usablePreview(p: EmbeddedPreview | null): Promise<{ preview: EmbeddedPreview; report: BlankReport } | null> {
  if (!p || Math.max(p.width, p.height) < MIN_PREVIEW_LONG_EDGE) return null;
  try {
    const report = await detectBlank(sharp(p.jpeg, { autoOrient: true }));
    return report.blank ? null : { preview: p, report };
  } catch {
    return null;
  }
}

function openDecoded(d: DecodedRaw): Sharp {
  const px = d.pixels;
  if (px.kind === 'encoded') return sharp(px.data);
  const typed = px.depth === 'ushort' ? new Uint16Array(px.data.buffer, px.data.byteOffset, px.data.byteLength / 2) : px.data;
  return sharp(typed, { raw: { width: px.width, height: px.height, channels: px.channels } }).pipelineColourspace('rgb16');
}

async function developDecoded(
  d: DecodedRaw,
  preset: ProcessingPreset,
  sniff: SniffResult,
  warnings: string[],
  t0: number,
): Promise<DevelopResult> {
  const t1 = performance.now();
  const exif = applyMetadataSettings(exifFieldsFromRawInfo(d.info), preset.metadata);
  const r = await renderVariants(openDecoded(d), preset, exif);
  return {
    source: d.decoder,
    width: d.width,
    height: d.height,
    variants: r.variants,
    timings: { decodeMs: t1 - t0, renderMs: performance.now() - t1 },
    warnings,
    sniff,
    halfSize: d.halfSize,
  };
}

/** The camera's embedded JPEG preview, rendered as it is; EXIF from the RAW's own header where it was read. */
function developPreview(
  p: EmbeddedPreview,
  preset: ProcessingPreset,
  sniff: SniffResult,
  warnings: string[],
  t0: number,
  d: DecodedRaw | null,
): Promise<DevelopResult> {
  return developEncoded(p.jpeg, 'embedded-preview', { ...exifFieldsFromRawInfo(d?.info ?? null), ...p.exif }, preset, sniff, warnings, t0);
}

/** A file that is already an image (JPEG, TIFF, …) rather than a RAW. */
function developImage(
  filePath: string,
  preset: ProcessingPreset,
  sniff: SniffResult,
  warnings: string[],
  t0: number,
): Promise<DevelopResult> {
  return developEncoded(filePath, 'developed-image', {}, preset, sniff, warnings, t0);
}

/** Renders an encoded image (no RAW decode) upright, with its own EXIF over `rawFields`. */
async function developEncoded(
  input: Buffer | string,
  source: 'embedded-preview' | 'developed-image',
  rawFields: ExifFields,
  preset: ProcessingPreset,
  sniff: SniffResult,
  warnings: string[],
  t0: number,
): Promise<DevelopResult> {
  const meta = await sharp(input).metadata();
  const t1 = performance.now();
  const exif = applyMetadataSettings({ ...rawFields, ...exifFieldsFromBlob(meta.exif) }, preset.metadata);
  const r = await renderVariants(sharp(input, { autoOrient: true }), preset, exif);
  const swap = (meta.orientation ?? 1) >= 5;
  return {
    source,
    width: swap ? meta.height : meta.width,
    height: swap ? meta.width : meta.height,
    variants: r.variants,
    timings: { decodeMs: t1 - t0, renderMs: performance.now() - t1 },
    warnings,
    sniff,
    halfSize: false,
  };
}
