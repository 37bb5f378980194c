import { DEFAULT_PRESET, type ProcessingPreset } from '#imaging';
import type { FieldError } from '../common/problem.js';
import type { PresetDto } from './dto/preset.dto.js';

/** Fills what the client left out from the default preset. */
export function resolvePreset(input: PresetDto | undefined): ProcessingPreset {
  return {
    variants: (input?.variants ?? DEFAULT_PRESET.variants).map((v) => ({ ...v })),
    colour: { ...DEFAULT_PRESET.colour, ...stripUndefined(input?.colour ?? {}) },
    sharpen: input?.sharpen ?? DEFAULT_PRESET.sharpen,
    metadata: { ...DEFAULT_PRESET.metadata, ...stripUndefined(input?.metadata ?? {}) },
    source: input?.source ?? DEFAULT_PRESET.source,
  };
}

/** Rules across fields that decorators cannot express. */
export function presetProblems(preset: ProcessingPreset): FieldError[] {
  const seen = new Set<string>();
  const problems: FieldError[] = [];
  preset.variants.forEach((variant, index) => {
    if (seen.has(variant.name))
      problems.push({ field: `preset.variants.${index}.name`, message: `variant name "${variant.name}" is used twice` });
    seen.add(variant.name);
  });
  return problems;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
