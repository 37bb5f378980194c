/** One output rendition of a processing preset. */
export interface VariantSpec {
  name: string;
  /** Longest edge in pixels (never enlarged), or 'original' for the full decoded size. */
  longEdge: number | 'original';
  format: 'jpeg' | 'webp' | 'avif';
  /** Encoder quality, 1..100. */
  quality: number;
}

/** What each output format is stored as. */
export const VARIANT_CONTENT: Readonly<Record<VariantSpec['format'], { contentType: string; extension: string }>> = {
  jpeg: { contentType: 'image/jpeg', extension: 'jpg' },
  webp: { contentType: 'image/webp', extension: 'webp' },
  avif: { contentType: 'image/avif', extension: 'avif' },
};

export interface ColourSettings {
  whiteBalance: 'camera' | 'auto';
  autoLevels: boolean;
  /** Exposure compensation in EV, -3..3. */
  exposure: number;
  /** -1..1, 0 = unchanged. */
  contrast: number;
  /** -1..1, 0 = unchanged, -1 = greyscale. */
  saturation: number;
}

export interface MetadataSettings {
  keepExif: boolean;
  stripGps: boolean;
  copyright: string | null;
}

export interface ProcessingPreset {
  variants: VariantSpec[];
  colour: ColourSettings;
  sharpen: boolean;
  metadata: MetadataSettings;
  /**
   * 'auto': decode the RAW, fall back to the embedded preview when the RAW is unreadable or blank.
   * 'raw': decode the RAW only; never substitute the preview.
   * 'embedded-preview': use the embedded JPEG preview (decode the RAW only when there is none).
   */
  source: 'auto' | 'raw' | 'embedded-preview';
}

export const DEFAULT_PRESET: ProcessingPreset = Object.freeze({
  variants: [
    { name: 'web', longEdge: 2048, format: 'jpeg', quality: 82 },
    { name: 'thumb', longEdge: 400, format: 'webp', quality: 80 },
    { name: 'full', longEdge: 'original', format: 'jpeg', quality: 90 },
  ],
  colour: { whiteBalance: 'camera', autoLevels: false, exposure: 0, contrast: 0, saturation: 0 },
  sharpen: true,
  metadata: { keepExif: false, stripGps: true, copyright: null },
  source: 'auto',
}) as ProcessingPreset;

/** Largest long edge any variant needs; 'original' when one variant wants the full size. */
export function largestLongEdge(variants: readonly VariantSpec[]): number | 'original' {
  let max = 0;
  for (const v of variants) {
    if (v.longEdge === 'original') return 'original';
    max = Math.max(max, v.longEdge);
  }
  return max;
}
