/** The pixel budget of one upload (width x height of the first frame, before orientation). */
export const DEFAULT_MAX_PIXELS = 100_000_000;

export interface RenditionSpec {
  readonly name: 'thumb' | 'small' | 'large';
  /** Target box in pixels. */
  readonly width: number;
  readonly height: number;
  /**
   * `cover`: exactly width x height, centre-cropped (upscaled if the original is smaller).
   * `inside`: the long edge fits the box; never enlarged.
   */
  readonly fit: 'cover' | 'inside';
  readonly format: 'webp' | 'jpeg';
  /** Encoder quality, 1-100. */
  readonly quality: number;
  /** Progressive (JPEG) encoding. */
  readonly progressive: boolean;
  /** Attach an sRGB ICC profile (pixels are always sRGB either way). */
  readonly embedIccProfile: boolean;
}

export const CLINIC_RENDITIONS: readonly RenditionSpec[] = Object.freeze([
  { name: 'thumb', width: 160, height: 160, fit: 'cover', format: 'webp', quality: 80, progressive: false, embedIccProfile: false },
  { name: 'small', width: 480, height: 480, fit: 'inside', format: 'webp', quality: 80, progressive: false, embedIccProfile: false },
  { name: 'large', width: 1600, height: 1600, fit: 'inside', format: 'jpeg', quality: 82, progressive: true, embedIccProfile: true },
] as const satisfies readonly RenditionSpec[]);

export const CONTENT_TYPES: Readonly<Record<RenditionSpec['format'], string>> = {
  webp: 'image/webp',
  jpeg: 'image/jpeg',
};
