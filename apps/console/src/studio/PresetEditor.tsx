import type { Preset } from './presets.js';

type Variant = NonNullable<Preset['variants']>[number];
const FORMATS = ['jpeg', 'webp', 'avif'] as const;
const WHITE_BALANCE = ['camera', 'auto'] as const;
const SOURCES = ['auto', 'raw', 'embedded-preview'] as const;

/** A number field's value, or the text as typed when it is not a number (the server names the error). */
function numberOrText(value: string): number {
  return value.trim() === '' || Number.isNaN(Number(value)) ? (value as unknown as number) : Number(value);
}

function CheckField({ label, checked, onChange }: { label: string; checked: boolean; onChange: (checked: boolean) => void }) {
  return (
    <label className="check">
      <input type="checkbox" checked={checked} onChange={(e) => onChange(e.target.checked)} />
      {label}
    </label>
  );
}

/**
 * The preset as a form: variants (name, long edge or original size, format, quality), colour,
 * sharpening, source and metadata. Every field is labelled; the server validates the whole preset.
 */
export function PresetEditor({ preset, onChange }: { preset: Required<Preset>; onChange: (preset: Required<Preset>) => void }) {
  const setVariant = (index: number, change: Partial<Variant>) =>
    onChange({ ...preset, variants: preset.variants.map((v, i) => (i === index ? { ...v, ...change } : v)) });
  const colour = preset.colour ?? {};
  const metadata = preset.metadata ?? {};
  return (
    <fieldset className="preset-editor">
      <legend>Preset</legend>
      <table className="variants">
        <caption>Variants</caption>
        <thead>
          <tr>
            <th scope="col">Name</th>
            <th scope="col">Long edge (px)</th>
            <th scope="col">Original size</th>
            <th scope="col">Format</th>
            <th scope="col">Quality</th>
            <th scope="col">
              <span className="visually-hidden">Remove</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {preset.variants.map((variant, index) => {
            const n = index + 1;
            const original = variant.longEdge === 'original';
            return (
              <tr key={index}>
                <td>
                  <input
                    aria-label={`Variant ${n} name`}
                    value={variant.name}
                    onChange={(e) => setVariant(index, { name: e.target.value })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Variant ${n} long edge`}
                    type="number"
                    min={16}
                    max={16384}
                    disabled={original}
                    value={original ? '' : String(variant.longEdge)}
                    onChange={(e) => setVariant(index, { longEdge: numberOrText(e.target.value) })}
                  />
                </td>
                <td>
                  <input
                    aria-label={`Variant ${n} at original size`}
                    type="checkbox"
                    checked={original}
                    onChange={(e) => setVariant(index, { longEdge: e.target.checked ? 'original' : 2048 })}
                  />
                </td>
                <td>
                  <select
                    aria-label={`Variant ${n} format`}
                    value={variant.format}
                    onChange={(e) => setVariant(index, { format: e.target.value as Variant['format'] })}
                  >
                    {FORMATS.map((f) => (
                      <option key={f}>{f}</option>
                    ))}
                  </select>
                </td>
                <td>
                  <input
                    aria-label={`Variant ${n} quality`}
                    type="number"
                    min={1}
                    max={100}
                    value={String(variant.quality)}
                    onChange={(e) => setVariant(index, { quality: numberOrText(e.target.value) })}
                  />
                </td>
                <td>
                  <button
                    type="button"
                    className="link-button"
                    aria-label={`Remove variant ${n}`}
                    disabled={preset.variants.length === 1}
                    onClick={() => onChange({ ...preset, variants: preset.variants.filter((_, i) => i !== index) })}
                  >
                    Remove
                  </button>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <button
        type="button"
        disabled={preset.variants.length >= 8}
        onClick={() =>
          onChange({
            ...preset,
            variants: [...preset.variants, { name: `v${preset.variants.length + 1}`, longEdge: 1024, format: 'jpeg', quality: 82 }],
          })
        }
      >
        Add variant
      </button>

      <div className="preset-grid">
        <label>
          White balance
          <select
            value={colour.whiteBalance ?? 'camera'}
            onChange={(e) => onChange({ ...preset, colour: { ...colour, whiteBalance: e.target.value as (typeof WHITE_BALANCE)[number] } })}
          >
            {WHITE_BALANCE.map((w) => (
              <option key={w}>{w}</option>
            ))}
          </select>
        </label>
        {(['exposure', 'contrast', 'saturation'] as const).map((field) => (
          <label key={field}>
            {field === 'exposure' ? 'Exposure (EV)' : field[0].toUpperCase() + field.slice(1)}
            <input
              type="number"
              step={0.1}
              value={String(colour[field] ?? 0)}
              onChange={(e) => onChange({ ...preset, colour: { ...colour, [field]: numberOrText(e.target.value) } })}
            />
          </label>
        ))}
        <CheckField
          label="Auto levels"
          checked={colour.autoLevels ?? false}
          onChange={(checked) => onChange({ ...preset, colour: { ...colour, autoLevels: checked } })}
        />
        <CheckField label="Sharpen" checked={preset.sharpen} onChange={(checked) => onChange({ ...preset, sharpen: checked })} />
        <label>
          Source
          <select value={preset.source} onChange={(e) => onChange({ ...preset, source: e.target.value as (typeof SOURCES)[number] })}>
            {SOURCES.map((s) => (
              <option key={s}>{s}</option>
            ))}
          </select>
        </label>
        <CheckField
          label="Keep EXIF"
          checked={metadata.keepExif ?? false}
          onChange={(checked) => onChange({ ...preset, metadata: { ...metadata, keepExif: checked } })}
        />
        <CheckField
          label="Strip GPS"
          checked={metadata.stripGps ?? true}
          onChange={(checked) => onChange({ ...preset, metadata: { ...metadata, stripGps: checked } })}
        />
        <label>
          Copyright
          <input
            value={metadata.copyright ?? ''}
            onChange={(e) => onChange({ ...preset, metadata: { ...metadata, copyright: e.target.value === '' ? null : e.target.value } })}
          />
        </label>
      </div>
    </fieldset>
  );
}
