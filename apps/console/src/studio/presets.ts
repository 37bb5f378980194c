import type { Schemas } from '../api.js';

export type Preset = Schemas['PresetDto'];

/** Ready-made presets; `default` sends none, so the server's defaults apply. */
export const PRESETS: Array<{ id: string; label: string; preset?: Preset }> = [
  { id: 'default', label: 'Standard: web 2048 px JPEG, thumb 400 px WebP, full size JPEG' },
  {
    id: 'proofs',
    label: 'Proofs: web 2048 px JPEG and thumb 400 px WebP',
    preset: {
      variants: [
        { name: 'web', longEdge: 2048, format: 'jpeg', quality: 82 },
        { name: 'thumb', longEdge: 400, format: 'webp', quality: 80 },
      ],
    },
  },
  { id: 'custom', label: 'Custom (JSON)' },
];
