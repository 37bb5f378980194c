import { DEFAULT_PRESET } from '#default-preset';
import type { Schemas } from '../api.js';

export type Preset = Schemas['PresetDto'];

/** The server's default preset (libs/imaging, a module without dependencies), as the editor starts. */
export const STANDARD_PRESET = structuredClone(DEFAULT_PRESET) as Required<Preset>;

/** Ready-made starting points for the preset editor. */
export const PRESETS: Array<{ id: string; label: string; preset: Required<Preset> }> = [
  { id: 'standard', label: 'Standard: web 2048 px JPEG, thumb 400 px WebP, full size JPEG', preset: STANDARD_PRESET },
  {
    id: 'proofs',
    label: 'Proofs: web 2048 px JPEG and thumb 400 px WebP',
    preset: { ...STANDARD_PRESET, variants: STANDARD_PRESET.variants.filter((v) => v.name !== 'full') },
  },
];
