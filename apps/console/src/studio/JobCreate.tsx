import { useState, type FormEvent } from 'react';
import { unwrap } from '#sdk';
import { describeError, fieldErrors, newIdempotencyKey, type RevelaClient } from '../api.js';
import { go, href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { Field } from '../ui/Field.js';
import { type Preset, PRESETS } from './presets.js';

/** Creates a draft job from a name and a preset (a ready-made one, or custom JSON). */
export function JobCreate({ client }: { client: RevelaClient }) {
  const [name, setName] = useState('');
  const [choice, setChoice] = useState('default');
  const [custom, setCustom] = useState(JSON.stringify(PRESETS[1].preset, null, 2));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    let preset: Preset | undefined;
    if (choice === 'custom') {
      try {
        preset = JSON.parse(custom) as Preset;
      } catch {
        setErrors({ preset: 'This is not valid JSON.' });
        return;
      }
    } else {
      preset = PRESETS.find((p) => p.id === choice)?.preset;
    }
    try {
      const job = await unwrap(
        client.POST('/v1/jobs', { body: { name: name.trim(), preset }, params: { header: { 'Idempotency-Key': newIdempotencyKey() } } }),
      );
      go('jobs', job.id);
    } catch (failure) {
      const byField = fieldErrors(failure);
      setErrors(byField);
      setError(describeError(failure));
    }
  };

  const presetError = Object.entries(errors)
    .filter(([field]) => field.startsWith('preset'))
    .map(([field, message]) => (field === 'preset' ? message : `${field}: ${message}`))
    .join('; ');
  return (
    <section aria-labelledby="job-create-title">
      <h1 id="job-create-title">New job</h1>
      <form onSubmit={(event) => void submit(event)} noValidate className="form">
        <ErrorNotice message={error} />
        <Field label="Job name" error={errors.name}>
          {(p) => <input {...p} value={name} onChange={(event) => setName(event.target.value)} />}
        </Field>
        <Field label="Preset" error={choice === 'custom' ? undefined : presetError || undefined}>
          {(p) => (
            <select {...p} value={choice} onChange={(event) => setChoice(event.target.value)}>
              {PRESETS.map((preset) => (
                <option key={preset.id} value={preset.id}>
                  {preset.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        {choice === 'custom' && (
          <Field label="Preset JSON" error={presetError || undefined}>
            {(p) => <textarea {...p} rows={10} value={custom} onChange={(event) => setCustom(event.target.value)} spellCheck={false} />}
          </Field>
        )}
        <div className="actions">
          <button type="submit">Create job</button>
          <a href={href()}>Cancel</a>
        </div>
      </form>
    </section>
  );
}
