import { useState, type FormEvent } from 'react';
import { unwrap } from '#sdk';
import { describeError, fieldErrors, newIdempotencyKey, type RevelaClient } from '../api.js';
import { go, href } from '../router.js';
import { ErrorNotice } from '../ui/ErrorNotice.js';
import { Field } from '../ui/Field.js';
import { PresetEditor } from './PresetEditor.js';
import { PRESETS } from './presets.js';

/** Creates a draft job from a name and a preset, edited from a ready-made one (the default prefilled). */
export function JobCreate({ client }: { client: RevelaClient }) {
  const [name, setName] = useState('');
  const [choice, setChoice] = useState(PRESETS[0].id);
  const [preset, setPreset] = useState(PRESETS[0].preset);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
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
        <Field label="Start from" error={presetError || undefined}>
          {(p) => (
            <select
              {...p}
              value={choice}
              onChange={(event) => {
                setChoice(event.target.value);
                setPreset(PRESETS.find((ready) => ready.id === event.target.value)!.preset);
              }}
            >
              {PRESETS.map((ready) => (
                <option key={ready.id} value={ready.id}>
                  {ready.label}
                </option>
              ))}
            </select>
          )}
        </Field>
        <PresetEditor preset={preset} onChange={setPreset} />
        <div className="actions">
          <button type="submit">Create job</button>
          <a href={href()}>Cancel</a>
        </div>
      </form>
    </section>
  );
}
